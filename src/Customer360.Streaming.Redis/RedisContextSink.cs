using System.Text;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Redis;

/// <summary>
/// Materializes the context stores in Redis. After each commit it takes the changelog records of the context stores
/// (already coalesced to one per key per commit) to learn which contexts changed, takes those contexts as the tasks
/// hold them (objects, so nothing is decoded), and writes their JSON in one pipelined batch through the version
/// compare-and-set; tombstones delete. While Redis is unreachable it retries with backoff on the worker's thread, so
/// processing pauses rather than running ahead of the view. After a restore it re-asserts the restored contexts,
/// which finishes a batch a crash interrupted (the compare-and-set skips everything Redis already has).
/// </summary>
public sealed class RedisContextSink : ICommitObserver
{
    private readonly RedisContextWriter _writer;
    private readonly Dictionary<string, string> _storeByChangelog;
    private readonly TimeSpan _anonymousTtl;
    private readonly TimeProvider _time;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private bool _resyncRequested;

    public RedisContextSink(RedisContextWriter writer, StreamTopology topology, TimeSpan anonymousTtl, TimeProvider time, PipelineMetrics metrics, ILogger logger, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _writer = writer;
        _storeByChangelog = ProductTopics.ContextStores.ToDictionary(topology.ChangelogTopic, s => s, StringComparer.Ordinal);
        _anonymousTtl = anonymousTtl;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Totals since start, for summaries and benchmarks.</summary>
    public long Batches { get; private set; }

    public long RoundTrips { get; private set; }

    public long Written { get; private set; }

    /// <summary>Times every owned context was re-asserted after Redis was unreachable.</summary>
    public long Resyncs { get; private set; }

    /// <summary>Set when Redis may have lost data (it was unreachable, or reconnected): the next commit re-asserts every owned context.</summary>
    public void RequestResync() => Volatile.Write(ref _resyncRequested, true);

    public void Committed(IReadOnlyList<OutgoingRecord> records, IOwnedStores owned)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(owned);
        if (Volatile.Read(ref _resyncRequested))
        {
            Resync(owned);
            return;
        }

        // The changelog records say which contexts changed; the contexts themselves are the objects the tasks hold,
        // so nothing is decoded here (a tombstone, or a key gone since, deletes).
        var latest = new Dictionary<string, CustomerContext?>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (_storeByChangelog.TryGetValue(record.Topic, out var store) && record.Key is { } keyBytes && record.Partition is { } partition)
            {
                var key = Encoding.UTF8.GetString(keyBytes);
                if (!ChangelogRecords.IsRuntimeKey(key))
                {
                    latest[ProductTopics.ContextIdOf(store, key)] = record.Value is null ? null : owned.Current(store, partition, key, ContextStateSerde.Instance);
                }
            }
        }

        if (Write(latest, measureFreshness: true))
        {
            // Redis was unreachable during this batch: a restarted Redis without persistence lost everything else.
            Resync(owned);
        }
    }

    private void Resync(IOwnedStores owned)
    {
        Volatile.Write(ref _resyncRequested, false);
        foreach (var store in ProductTopics.ContextStores)
        {
            if (Write(ByContextId(store, owned.Entries(store, ContextStateSerde.Instance)), measureFreshness: false))
            {
                RequestResync();
            }
        }

        Resyncs++;
    }

    public void Restored(string store, int partition, IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (ProductTopics.ContextStores.Contains(store))
        {
            Write(ByContextId(store, entries.Select(e => KeyValuePair.Create(e.Key, ContextStateSerde.Instance.Decode(e.Value)))), measureFreshness: false);
        }
    }

    /// <summary>Writes one batch; true when Redis had to be retried on the way.</summary>
    /// <param name="measureFreshness">Record event-to-Redis latency: for what processing changed, not for re-assertions.</param>
    private bool Write(Dictionary<string, CustomerContext?> latest, bool measureFreshness)
    {
        if (latest.Count == 0)
        {
            return false;
        }

        var retried = false;

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
        var result = _writer.WriteWithRetryAsync(documents, _time, _stopping, OnRetry, deletions).GetAwaiter().GetResult();
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
        return retried;

        void OnRetry(Exception error, TimeSpan delay)
        {
            retried = true;
            _metrics.RedisRetries.Add(1);
            Log.RedisRetry(_logger, error.GetType().Name, latest.Count, delay.TotalMilliseconds);
        }
    }

    /// <summary>A context as the writer takes it: id, version, store presence and the public JSON document.</summary>
    public static ContextDocument Document(CustomerContext context, TimeSpan anonymousTtl)
    {
        ArgumentNullException.ThrowIfNull(context);
        var presence = context.InStore.StoreId is { } storeId ? new StorePresence(storeId, context.InStore.ZoneId, context.InStore.EnteredStoreMs) : null;
        var ttl = !context.Known && anonymousTtl > TimeSpan.Zero ? anonymousTtl : (TimeSpan?)null;
        return new ContextDocument(context.ContextId, context.Version, ContextJson.Serialize(context), ttl, presence);
    }

    /// <summary>A store's entries (stores list none of the runtime's bookkeeping) by context id.</summary>
    private static Dictionary<string, CustomerContext?> ByContextId(string store, IEnumerable<KeyValuePair<string, CustomerContext>> entries) =>
        entries.ToDictionary(e => ProductTopics.ContextIdOf(store, e.Key), e => (CustomerContext?)e.Value, StringComparer.Ordinal);
}
