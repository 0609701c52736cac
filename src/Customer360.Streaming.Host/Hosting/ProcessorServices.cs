using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// The processor's areas, each registered by one extension: the Redis view, the context pipeline (catalogs, registry,
/// codec, rules, topology) and the stream processor that runs it. <see cref="ProcessorHost"/> calls them in this order,
/// which is also the order their hosted services start in.
/// </summary>
public static class ProcessorServices
{
    /// <summary>The shared Redis connection (a hosted service, so it opens before the first commit needs it).</summary>
    public static IServiceCollection AddRedisView(this IServiceCollection services)
    {
        services.AddSingleton<RedisConnectionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisConnectionService>());
        return services;
    }

    /// <summary>The product topology and what it is built from: topic, schema and store catalogs, the registry client, the codec, the rules.</summary>
    public static IServiceCollection AddContextPipeline(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => TopicCatalog.Load(ContentFolders.TopicsFile(Topology(sp).Directory)));
        services.AddSingleton(sp => SchemaCatalog.Load(ContentFolders.SchemasDirectory(Topology(sp).SchemasDirectory)));
        services.AddSingleton(sp => StoreCatalog.Load(ContentFolders.StoresFile(Topology(sp).Directory)));
        services.AddSingleton<ISchemaRegistryClient>(sp => new SchemaRegistryClient(
            sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value));
        services.AddSingleton(sp => new EventCodec(
            sp.GetRequiredService<ISchemaRegistryClient>(), sp.GetRequiredService<IOptions<AvroSerdeOptions>>().Value,
            sp.GetRequiredService<SchemaCatalog>(), sp.GetRequiredService<TopicCatalog>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ContextOptions>>().Value.MaxFutureSkewSeconds),
            new UnknownSchemaIdRetry(
                TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value.UnknownIdRetrySeconds), sp.GetRequiredService<TimeProvider>())));
        // Triggers run when the topology folder has a rule file; without one the processor keeps contexts only.
        services.AddSingleton(sp => ProductTopicNames.FromCatalog(sp.GetRequiredService<TopicCatalog>()));
        services.AddSingleton(sp => RuleFile(sp) is { } path
            ? TriggerRules.From(path, sp.GetRequiredService<ProductTopicNames>(), sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<ILogger<RuleFileReloader>>())
            : TriggerRules.None);
        services.AddSingleton(sp =>
        {
            var context = sp.GetRequiredService<IOptions<ContextOptions>>().Value;
            var triggers = sp.GetRequiredService<IOptions<TriggerOptions>>().Value;
            return new ContextPipelineSetup(
                context.ToContextSettings(), context.ToIdentitySettings(), sp.GetRequiredService<StoreDirectory>(), sp.GetRequiredService<EventCodec>(),
                sp.GetRequiredService<ProductTopicNames>())
            {
                Rules = sp.GetRequiredService<TriggerRules>().Live,
                Hygiene = triggers.ToHygieneSettings(),
                TimerInterval = TimeSpan.FromSeconds(triggers.TimerIntervalSeconds),
                WallClockTimers = triggers.WallClockTimers,
                Decisioning = sp.GetRequiredService<IOptions<DecisioningOptions>>().Value.ToSettings(ProductTopics.ContextPartitions(sp.GetRequiredService<TopicCatalog>())),
            };
        });
        services.AddHostedService(sp => new RuleReloadService(
            sp.GetRequiredService<TriggerRules>().Reloader, sp.GetRequiredService<IOptions<TriggerOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new PipelineMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => ProductTopology.Build(
            sp.GetRequiredService<IOptions<KafkaOptions>>().Value.ApplicationId, sp.GetRequiredService<TopicCatalog>(),
            sp.GetRequiredService<ContextPipelineSetup>(), sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    /// <summary>The stream threads that run the topology, their metrics and gauges.</summary>
    public static IServiceCollection AddStreamProcessor(this IServiceCollection services)
    {
        services.AddSingleton(sp => new StreamsMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<StreamProcessorService>();
        services.AddSingleton(sp =>
        {
            var processor = sp.GetRequiredService<StreamProcessorService>();
            return new ProcessorMetrics(
                () => processor.Processor?.Status.Partitions ?? [], sp.GetRequiredService<TimeProvider>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<StreamProcessorService>());
        services.AddHostedService<ProcessorGaugesService>();
        return services;
    }

    /// <summary>The rules in force and their reloader; both null when the topology folder has no rule file.</summary>
    internal sealed record TriggerRules(LiveRuleSet? Live, RuleFileReloader? Reloader)
    {
        public static readonly TriggerRules None = new(null, null);

        public static TriggerRules From(string path, ProductTopicNames topics, PipelineMetrics metrics, ILogger logger)
        {
            var live = new LiveRuleSet(RuleCatalog.Load(path));
            return new TriggerRules(live, new RuleFileReloader(path, live, topics, metrics, logger));
        }
    }

    private static string? RuleFile(IServiceProvider services) =>
        Path.Combine(ContentFolders.ResolveDirectory(Topology(services).Directory), RuleCatalog.FileName) is var path && File.Exists(path) ? path : null;

    private static TopologyOptions Topology(IServiceProvider services) => services.GetRequiredService<IOptions<TopologyOptions>>().Value;
}
