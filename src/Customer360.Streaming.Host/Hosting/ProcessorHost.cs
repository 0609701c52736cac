using System.Net;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Builds the processor host used by <c>c360 run</c> and, in-process, by <c>c360 demo</c> and the tests.</summary>
public static class ProcessorHost
{
    /// <summary>Environment variables with this prefix override configuration: <c>C360__Kafka__BootstrapServers</c>.</summary>
    public const string EnvironmentPrefix = "C360__";

    public static WebApplication Build(IReadOnlyDictionary<string, string?>? overrides = null)
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

        builder.Services.AddProcessorOptions();
        builder.Services.AddStreamProcessor();
        builder.Services.AddSingleton<RedisConnectionService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisConnectionService>());
        builder.Services.AddHealthChecks()
            .AddCheck<ProcessorHealthCheck>("processor", tags: [ProcessorHealthCheck.LiveTag, ProcessorHealthCheck.ReadyTag])
            .AddCheck<RedisHealthCheck>("redis", tags: [ProcessorHealthCheck.ReadyTag]);
        // Kestrel is built with the app, before ValidateOnStart runs: bind the raw values here and let an invalid
        // address fall through to the validation error, which names the key, rather than fail inside Kestrel.
        var http = builder.Configuration.GetSection(HttpOptions.SectionName).Get<HttpOptions>() ?? new HttpOptions();
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, http));

        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ProcessorHealthCheck.LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ProcessorHealthCheck.ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }

    /// <summary>Binds every options class with validation at startup, so a bad value fails before anything connects.</summary>
    public static IServiceCollection AddProcessorOptions(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamsOptions>().BindConfiguration(StreamsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.Host == "localhost" || IPAddress.TryParse(o.Host, out _), "Http:Host must be an IP address or 'localhost'.")
            .ValidateOnStart();
        services.AddOptions<TopologyOptions>().BindConfiguration(TopologyOptions.SectionName)
            .Validate(o => string.IsNullOrWhiteSpace(o.Directory) || Directory.Exists(o.Directory), "Topology:Directory does not exist.")
            .ValidateOnStart();
        return services;
    }

    private static IServiceCollection AddStreamProcessor(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => TopicCatalog.Load(
            ContentFolders.TopicsFile(sp.GetRequiredService<IOptions<TopologyOptions>>().Value.Directory)));
        services.AddSingleton(sp => ProductTopology.Build(
            sp.GetRequiredService<IOptions<KafkaOptions>>().Value.ApplicationId, sp.GetRequiredService<TopicCatalog>()));
        services.AddSingleton(sp => new StreamsMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<StreamProcessorService>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamProcessorService>());
        return services;
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
