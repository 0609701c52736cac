using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>
/// Materializes the context stores in Redis. After each commit it is told which context-store keys the commit made
/// durable (one per key per commit), takes those contexts as the tasks hold them (objects, so nothing is decoded), and writes their JSON in one pipelined batch through the version
/// compare-and-set; tombstones delete. A write waits at most <see cref="WriteTimeout"/>: when Redis does not answer the
/// sink says it is <see cref="Unavailable"/>, its stream thread holds processing (and keeps polling, so it stays in
/// its group), and each <see cref="Recover"/> re-asserts every context the thread owns until Redis takes them. After a
/// restore it re-asserts the restored contexts, which finishes a batch a crash interrupted (the compare-and-set skips
/// everything Redis already has).
/// </summary>
public sealed class RedisContextSink : ICommitObserver
{
    private readonly RedisContextWriter _writer;
    private readonly HashSet<string> _contextStores = new(ProductTopics.ContextStores, StringComparer.Ordinal);
    private readonly TimeSpan _anonymousTtl;
    private readonly TimeProvider _time;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private bool _resyncRequested;
    private string? _unavailable;

    /// <summary>The longest the stream thread waits for one batch; beyond it Redis counts as unavailable.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    public RedisContextSink(RedisContextWriter writer, TimeSpan anonymousTtl, TimeProvider time, PipelineMetrics metrics, ILogger logger)
    {
        _writer = writer;
        _anonymousTtl = anonymousTtl;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Totals since start, for summaries and benchmarks.</summary>
    public long Batches { get; private set; }

    public long RoundTrips { get; private set; }

    public long Written { get; private set; }

    /// <summary>Times every owned context was re-asserted after Redis was unreachable.</summary>
    public long Resyncs { get; private set; }

    /// <summary>Set when Redis may have lost data (it was unreachable, or reconnected): the next commit re-asserts every owned context.</summary>
    public void RequestResync() => Volatile.Write(ref _resyncRequested, true);

    /// <summary>Why contexts cannot be written now (Redis did not answer), or null.</summary>
    public string? Unavailable => Volatile.Read(ref _unavailable);

    public void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(owned);
        if (Unavailable is not null)
        {
            // What these changes touched is re-asserted with everything else when Redis is back (Recover).
            return;
        }

        if (Volatile.Read(ref _resyncRequested))
        {
            Resync(owned);
            return;
        }

        // The contexts themselves are the objects the tasks hold, so nothing is decoded here (a deletion, or a key
        // gone since, deletes).
        var latest = new Dictionary<string, CustomerContext?>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (_contextStores.Contains(change.Store))
            {
                latest[ProductTopics.ContextIdOf(change.Store, change.Key)] =
                    change.Deleted ? null : owned.Current(change.Store, change.Partition, change.Key, ContextStateSerde.Instance);
            }
        }

        Write(latest, measureFreshness: true);
    }

    /// <summary>Redis was unreachable: re-assert every context the thread owns, which clears <see cref="Unavailable"/> once Redis takes them.</summary>
    public void Recover(IOwnedStores owned)
    {
        ArgumentNullException.ThrowIfNull(owned);
        Resync(owned);
    }

    public void Restored(string store, int partition, IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (ProductTopics.ContextStores.Contains(store) && Unavailable is null)
        {
            Write(ByContextId(store, entries.Select(e => KeyValuePair.Create(e.Key, ContextStateSerde.Instance.Decode(e.Value)))), measureFreshness: false);
        }
    }

    private void Resync(IOwnedStores owned)
    {
        Volatile.Write(ref _resyncRequested, false);
        Volatile.Write(ref _unavailable, null);
        foreach (var store in ProductTopics.ContextStores)
        {
            if (!Write(ByContextId(store, owned.Entries(store, ContextStateSerde.Instance)), measureFreshness: false))
            {
                return;
            }
        }

        Resyncs++;
    }

    /// <summary>
    /// Writes one batch, waiting at most <see cref="WriteTimeout"/>. False when Redis did not take it: the sink is then
    /// unavailable until a <see cref="Recover"/> re-asserts every owned context (a restarted Redis may have lost them all).
    /// </summary>
    /// <param name="measureFreshness">Record event-to-Redis latency: for what processing changed, not for re-assertions.</param>
    private bool Write(Dictionary<string, CustomerContext?> latest, bool measureFreshness)
    {
        if (latest.Count == 0)
        {
            return true;
        }

        var documents = new List<ContextDocument>(latest.Count);
        var eventTimes = new List<long>(latest.Count);
        var deletions = new List<string>();
        foreach (var (contextId, value) in latest)
        {
            if (value is null)
            {
                deletions.Add(contextId);
            }
            else
            {
                documents.Add(Document(value, _anonymousTtl));
                eventTimes.Add(value.AsOfMs);
            }
        }

        var started = _time.GetTimestamp();
        WriteResult result;
        try
        {
            result = _writer.WriteAsync(documents, deletions).WaitAsync(WriteTimeout, _time).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException)
        {
            _metrics.RedisRetries.Add(1);
            Log.RedisUnavailable(_logger, ex.GetType().Name, latest.Count);
            Volatile.Write(ref _unavailable, $"Redis did not take {latest.Count} contexts within {WriteTimeout.TotalSeconds:0} s ({ex.GetType().Name}); processing waits and the contexts are re-asserted when it answers");
            return false;
        }

        _metrics.RedisBatchDuration.Record(_time.GetElapsedTime(started).TotalMilliseconds);
        _metrics.RedisWrites.Add(result.Written, new KeyValuePair<string, object?>("result", "written"));
        _metrics.RedisWrites.Add(result.SkippedAsNotNewer, new KeyValuePair<string, object?>("result", "not_newer"));
        _metrics.RedisWrites.Add(result.Deleted, new KeyValuePair<string, object?>("result", "deleted"));
        if (measureFreshness)
        {
            var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var eventTime in eventTimes.Where(t => t >= 0))
            {
                _metrics.EventToRedisLatency.Record(writtenAt - eventTime);
            }
        }

        Batches++;
        RoundTrips += result.RoundTrips;
        Written += result.Written;
        return true;
    }

    /// <summary>A context as the writer takes it: id, version, store presence and the public JSON document.</summary>
    public static ContextDocument Document(CustomerContext context, TimeSpan anonymousTtl)
    {
        ArgumentNullException.ThrowIfNull(context);
        var presence = context.InStore.StoreId is { } storeId ? new StorePresence(storeId, context.InStore.ZoneId, context.InStore.EnteredStoreMs) : null;
        var ttl = !context.Known && anonymousTtl > TimeSpan.Zero ? anonymousTtl : (TimeSpan?)null;
        return new ContextDocument(context.ContextId, context.Version, ContextJson.SerializeToUtf8(context), ttl, presence, context.Known ? context.Identifiers : null);
    }

    /// <summary>A store's entries (stores list none of the runtime's bookkeeping) by context id.</summary>
    private static Dictionary<string, CustomerContext?> ByContextId(string store, IEnumerable<KeyValuePair<string, CustomerContext>> entries) =>
        entries.ToDictionary(e => ProductTopics.ContextIdOf(store, e.Key), e => (CustomerContext?)e.Value, StringComparer.Ordinal);
}
