using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Contracts;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Spectre.Console;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Cli;

/// <summary>Events per second and in total that the processor consumed from one channel.</summary>
internal sealed record ChannelRate(string Channel, double PerSecond, long Total);

/// <summary>
/// What the demo shows at one moment (the Redis readings are null while Redis does not answer). The lag counts the
/// partitions the stream threads hold: while <paramref name="ProcessorPhase"/> is not running (a thread replaced,
/// joining or restoring), some partitions are nobody's and the lag is a lower bound. <paramref name="NotReady"/> is
/// what <c>/health/ready</c> would answer for the processor while it is not ready (joining, restoring, a hold, paused
/// partitions), else null.
/// </summary>
internal sealed record DemoSnapshot(
    TimeSpan Elapsed,
    IReadOnlyList<ChannelRate> Channels,
    long Lag,
    double LagSeconds,
    long? ContextsInRedis,
    IReadOnlyList<KeyValuePair<string, int>>? PresentByStore,
    long Fired,
    long Suppressed,
    IReadOnlyList<ObservedDecision> LatestDecisions,
    string? Status,
    WorkerPhase ProcessorPhase = WorkerPhase.Running,
    string? NotReady = null);

/// <summary>
/// Watches the running demo from outside the processor's logic: what it consumed per channel (its own counter,
/// listened to in-process), its lag, the contexts and store presence in Redis, and the latest decisions on the
/// decisions topic (as the pages' <see cref="LiveFeed"/> follows them in the same process).
/// </summary>
internal sealed class DemoMonitor : IDisposable
{
    private const int LatestKept = 6;

    private static readonly TimeSpan RedrawEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PlainLineEvery = TimeSpan.FromSeconds(5);

    private readonly StreamProcessorService _processor;
    private readonly LiveFeed _decisions;
    private readonly DemoRedisReadings _redis;
    private readonly LatestReading<long> _contextCount;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly Dictionary<string, string> _channelByTopic;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _processedByTopic = new(StringComparer.Ordinal);
    private Dictionary<string, long> _previousTotals = new(StringComparer.Ordinal);
    private long _previousSampleAt;

    public DemoMonitor(
        StreamProcessorService processor,
        IMeterFactory processorMeters,
        LiveFeed decisions,
        IConnectionMultiplexer redis,
        RedisKeys keys,
        StoreDirectory stores,
        ProductTopicNames topics,
        TimeProvider time)
    {
        _processor = processor;
        _decisions = decisions;
        _redis = new DemoRedisReadings(redis, keys, stores, time);
        _contextCount = new LatestReading<long>(_redis.CountContextsAsync, time);
        _time = time;
        _startedAt = _previousSampleAt = time.GetTimestamp();
        _channelByTopic = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [topics.Clickstream] = "web",
            [topics.Mobile] = "app",
            [topics.Location] = "gps",
            [topics.Beacon] = "beacon",
            [topics.Responses] = "responses",
            [topics.Identity] = "identity",
            [topics.Relationship] = "relationship",
        };
        foreach (var (channel, keyedByCustomer) in topics.KeyedByCustomer)
        {
            _channelByTopic[keyedByCustomer] = _channelByTopic[channel];
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // The processor's own counter: another processor in the process would count under the same name.
            if (ReferenceEquals(instrument.Meter.Scope, processorMeters) && instrument.Name == "c360.records.processed")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "topic" && tag.Value is string topic && _channelByTopic.ContainsKey(topic))
                {
                    _processedByTopic.AddOrUpdate(topic, value, (_, total) => total + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Output records the view could not read (counted, not shown).</summary>
    public long UnreadableDecisions => _decisions.Unreadable;

    /// <summary>What Redis holds for the demo: its contexts and store presence.</summary>
    public DemoRedisReadings Redis => _redis;

    /// <summary>The demo now; rates are over the time since the previous sample.</summary>
    public async Task<DemoSnapshot> SampleAsync(string? processorStatus)
    {
        var seconds = Math.Max(0.001, _time.GetElapsedTime(_previousSampleAt).TotalSeconds);
        _previousSampleAt = _time.GetTimestamp();
        var totals = new Dictionary<string, long>(_processedByTopic, StringComparer.Ordinal);
        // A channel's events may come on two topics (keyed by identifier and by customer): one rate for both.
        var channels = _channelByTopic
            .GroupBy(c => c.Value, c => c.Key)
            .Select(c => new ChannelRate(
                c.Key, c.Sum(topic => totals.GetValueOrDefault(topic) - _previousTotals.GetValueOrDefault(topic)) / seconds, c.Sum(topic => totals.GetValueOrDefault(topic))))
            .ToList();
        _previousTotals = totals;

        var status = _processor.Processor?.Status;
        var partitions = status?.Partitions ?? [];
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var readiness = ProcessorHealthCheck.Assess(status, readiness: true);
        // Side by side, so a Redis that stopped answering holds the view one read timeout, not two.
        var contexts = _contextCount.SampleAsync(DemoRedisReadings.ReadTimeout);
        var presence = _redis.ReadPresenceAsync();
        return new DemoSnapshot(
            _time.GetElapsedTime(_startedAt),
            channels,
            partitions.Sum(p => p.Lag ?? 0),
            partitions.Select(p => p.LagSecondsAt(nowMs)).DefaultIfEmpty(0).Max(),
            await contexts,
            await presence,
            _decisions.Fired,
            _decisions.Suppressed,
            _decisions.LatestDecisions(LatestKept),
            processorStatus,
            status?.Phase ?? WorkerPhase.Created,
            readiness.Status == HealthStatus.Healthy ? null : readiness.Description);
    }

    /// <summary>
    /// Shows the demo until <paramref name="producing"/> ends or the processor stops (its host ends, or has begun to:
    /// the services a sample reads go with it), redrawn each second in a terminal and a line every 5 s otherwise.
    /// True when the processor stopped first.
    /// </summary>
    public async Task<bool> ShowUntilAsync(
        Task producing, Task host, Func<bool> processorStopping, bool live, Func<string?> status, Action<string> say, CancellationToken cancellationToken)
    {
        bool Stopped() => host.IsCompleted || processorStopping();
        if (live)
        {
            await AnsiConsole.Live(DemoView.Render(await SampleAsync(status()))).StartAsync(async view =>
            {
                while (!producing.IsCompleted && !Stopped())
                {
                    await Task.WhenAny(producing, host, Task.Delay(RedrawEvery, _time, cancellationToken));
                    if (!Stopped())
                    {
                        view.UpdateTarget(DemoView.Render(await SampleAsync(status())));
                    }
                }
            });
        }
        else
        {
            while (!producing.IsCompleted && !Stopped())
            {
                await Task.WhenAny(producing, host, Task.Delay(PlainLineEvery, _time, cancellationToken));
                if (!producing.IsCompleted && !Stopped())
                {
                    say(DemoView.Line(await SampleAsync(status())));
                }
            }
        }

        return Stopped();
    }

    public void Dispose()
    {
        _listener.Dispose();
    }
}
