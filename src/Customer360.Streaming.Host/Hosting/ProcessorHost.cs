using System.Net;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Builds the processor host used by <c>c360 run</c> and, in-process, by <c>c360 demo</c> and the tests.</summary>
public static class ProcessorHost
{
    /// <summary>Environment variables with this prefix override configuration: <c>C360__Kafka__BootstrapServers</c>.</summary>
    public const string EnvironmentPrefix = "C360__";

    /// <summary>The <c>service_name</c> of the metrics' <c>target_info</c>.</summary>
    private const string ServiceName = "customer360-streaming";

    /// <summary>The meter the .NET runtime publishes its own counters on (built in since .NET 9).</summary>
    private const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Bucket bounds of every latency histogram, in milliseconds: fine below 100 ms, where the 30 ms p99 target is
    /// judged, coarse up to 10 s for a processor that is far behind. (OpenTelemetry's default has nothing between 10 and 25.)
    /// </summary>
    private static readonly double[] LatencyBucketsMs = [1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 250, 500, 1000, 2500, 5000, 10000];

    /// <summary>The category ASP.NET's health check service logs under (the class is internal).</summary>
    private const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>Health endpoints answer reads only; any other method gets 405, as probes and proxies expect.</summary>
    private static readonly Microsoft.AspNetCore.Routing.HttpMethodMetadata ReadOnlyMethods = new([HttpMethods.Get, HttpMethods.Head]);

    /// <summary>Each options section the processor reads, by name, with the class it binds to.</summary>
    internal static readonly IReadOnlyDictionary<string, Type> OptionSections = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [KafkaOptions.SectionName] = typeof(KafkaOptions),
        [StreamsOptions.SectionName] = typeof(StreamsOptions),
        [RedisOptions.SectionName] = typeof(RedisOptions),
        [HttpOptions.SectionName] = typeof(HttpOptions),
        [TopologyOptions.SectionName] = typeof(TopologyOptions),
        [SchemaRegistryOptions.SectionName] = typeof(SchemaRegistryOptions),
        [AvroSerdeOptions.SectionName] = typeof(AvroSerdeOptions),
        [ContextOptions.SectionName] = typeof(ContextOptions),
        [TriggerOptions.SectionName] = typeof(TriggerOptions),
        [DecisioningOptions.SectionName] = typeof(DecisioningOptions),
    };

    /// <param name="services">Registers what a command adds to the processor's services (the demo: its embedded broker's record deleter).</param>
    public static WebApplication Build(IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // It logs an error for every unhealthy check of every probe; ReadinessLog logs each change once instead.
        builder.Logging.AddFilter(HealthCheckServiceCategory, LogLevel.None);

        builder.Services.AddProcessorOptions();
        // Before the processor's services, so its hosted service starts (and listens) before the first record counts.
        builder.Services.AddPrometheusMetrics();
        // Hosted services start in registration order: Redis first, so the sink has a connection before any commit.
        builder.Services.AddRedisView();
        builder.Services.AddContextPipeline();
        builder.Services.AddStreamProcessor();
        services?.Invoke(builder.Services);
        builder.Services.AddPages();
        // One registration per endpoint: the check judges by its registration's tag, and one holding both tags made
        // /health/live answer readiness (503 while the stream threads joined or restored, so a liveness probe restarted them).
        builder.Services.AddHealthChecks()
            .AddCheck<ProcessorHealthCheck>("worker", tags: [ProcessorHealthCheck.LiveTag])
            .AddCheck<ProcessorHealthCheck>("processor", tags: [ProcessorHealthCheck.ReadyTag])
            .AddCheck<RedisHealthCheck>("redis", tags: [ProcessorHealthCheck.ReadyTag]);
        builder.Services.AddSingleton<IHealthCheckPublisher, ReadinessLog>();
        builder.Services.Configure<HealthCheckPublisherOptions>(publishing =>
        {
            publishing.Delay = TimeSpan.FromSeconds(1);
            publishing.Period = ReadinessLog.Period;
            publishing.Predicate = c => c.Tags.Contains(ProcessorHealthCheck.ReadyTag);
        });
        // Kestrel is built with the app, before ValidateOnStart runs: bind the raw values here and let an invalid
        // address (or a port that is not a number) fall through to the validation error, which names the key, rather
        // than fail inside Kestrel or the binder.
        var http = SettingTexts.Unreadable(builder.Configuration, HttpOptions.SectionName, typeof(HttpOptions)).Count == 0
            ? builder.Configuration.GetSection(HttpOptions.SectionName).Get<HttpOptions>() ?? new HttpOptions()
            : new HttpOptions();
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, http));

        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ProcessorHealthCheck.LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).WithMetadata(ReadOnlyMethods);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ProcessorHealthCheck.ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).WithMetadata(ReadOnlyMethods);
        app.MapPages();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// The three meters in Prometheus text format at <c>/metrics</c>, through OpenTelemetry's exporter: it exports a
    /// .NET counter as a Prometheus counter named <c>…_total</c> and appends the unit (<c>_milliseconds</c>), as
    /// Prometheus naming asks. (prometheus-net's meter adapter exports every counter as a gauge.) Beside them, the
    /// runtime's own meter (<c>System.Runtime</c>: collections and their pauses, allocation, JIT time, CPU), which
    /// says whether a slow stream thread was held by collections or shared its cores with the JIT.
    /// </summary>
    internal static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(StreamsMetrics.MeterName, PipelineMetrics.MeterName, ProcessorMetrics.MeterName, RuntimeMeterName)
                // Every histogram of the three meters is a latency in milliseconds.
                .AddView(instrument => instrument is System.Diagnostics.Metrics.Histogram<double> && instrument.Meter.Name != RuntimeMeterName
                    ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBucketsMs }
                    : null)
                // Every scrape sees the values of that moment: a cached response would show a paused partition late.
                .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Binds every options class with validation at startup, so a bad value fails before anything connects.</summary>
    public static IServiceCollection AddProcessorOptions(this IServiceCollection services)
    {
        Section<KafkaOptions>(services).ValidateOnStart();
        Section<StreamsOptions>(services)
            .Validate(o => o.StateStore == StateStoreKind.InMemory || CanCreate(o.ResolvedStateDirectory("c360")), "Streams:StateDirectory cannot be created or written.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StreamsOptions>, StreamsBesideKafkaCheck>();
        Section<RedisOptions>(services).ValidateOnStart();
        Section<HttpOptions>(services)
            .Validate(o => o.Host == "localhost" || IPAddress.TryParse(o.Host, out _), "Http:Host must be an IP address or 'localhost'.")
            .Validate(o => o.BindsLoopback || o.ApiKey.Length > 0, "Http:ApiKey is required when Http:Host is not a loopback address: the pages show customer data (C360__Http__ApiKey).")
            .Validate(o => o.ApiKey.Length is 0 or >= HttpOptions.MinimumApiKeyLength, $"Http:ApiKey must have at least {HttpOptions.MinimumApiKeyLength} characters.")
            .ValidateOnStart();
        Section<TopologyOptions>(services)
            .Validate(o => string.IsNullOrWhiteSpace(o.Directory) || Directory.Exists(o.Directory), "Topology:Directory does not exist.")
            .Validate(o => string.IsNullOrWhiteSpace(o.SchemasDirectory) || Directory.Exists(o.SchemasDirectory), "Topology:SchemasDirectory does not exist.")
            .ValidateOnStart();
        Section<SchemaRegistryOptions>(services).ValidateOnStart();
        Section<AvroSerdeOptions>(services).ValidateOnStart();
        Section<ContextOptions>(services).ValidateOnStart();
        Section<TriggerOptions>(services).ValidateOnStart();
        Section<DecisioningOptions>(services).ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its section once every text is one its setting's type takes, checking
    /// its annotations and that every key is one of its settings (see <see cref="SettingsSection"/>).
    /// </summary>
    private static OptionsBuilder<TOptions> Section<TOptions>(IServiceCollection services)
        where TOptions : class
    {
        var section = OptionSections.Single(s => s.Value == typeof(TOptions)).Key;
        services.AddSingleton<IValidateOptions<TOptions>, SettingAnnotations<TOptions>>();
        return services.AddOptions<TOptions>()
            .Configure<IConfiguration>((_, configuration) => SettingsSection.ThrowIfUnreadable(configuration, section, typeof(TOptions)))
            .BindConfiguration(section)
            .ValidateKnownKeys(section, OptionSections);
    }

    /// <summary>Whether the process may create (or already has) <paramref name="path"/> and write in it.</summary>
    private static bool CanCreate(string path)
    {
        try
        {
            var parent = Path.GetDirectoryName(path) ?? path;
            Directory.CreateDirectory(parent);
            var probe = Path.Combine(parent, $".c360-write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }


    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, HttpOptions http)
    {
        if (http.Port is < 0 or > 65535)
        {
            return;
        }

        if (http.Host == "localhost")
        {
            kestrel.ListenLocalhost(http.Port);
        }
        else if (IPAddress.TryParse(http.Host, out var address))
        {
            kestrel.Listen(address, http.Port);
        }
    }
}
