using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Redis;

/// <summary>
/// Materializes the context stores in Redis. After each commit it is told which context-store keys the commit made
/// durable (one per key per commit), takes those contexts as the tasks hold them (immutable objects, so nothing is
/// decoded or copied), and writes their JSON in pipelined batches of at most <see cref="BatchSize"/> through the
/// version compare-and-set; tombstones delete. The batches are serialized and written in the background while the
/// stream thread goes on processing: one at a time, so Redis sees them in commit order, and the next commit first waits
/// for the one before it, at most <see cref="WriteTimeout"/> per batch. When Redis does not take a batch the sink says
/// it is <see cref="Unavailable"/>, its stream thread holds processing (and keeps polling, so it stays in its group),
/// and each <see cref="Recover"/> re-asserts every context the thread owns until Redis takes them. After a restore it
/// re-asserts the restored contexts, which finishes a batch a crash interrupted; a re-assertion sends only the contexts
/// Redis lacks or holds at an older version (<see cref="Reassert"/>). A clean stop waits for the last batch
/// (<see cref="WhenWritten"/>).
/// </summary>
public sealed partial class RedisContextSink : ICommitObserver
{
    private readonly RedisContextWriter _writer;
    private readonly HashSet<string> _contextStores = new(ProductTopics.ContextStores, StringComparer.Ordinal);
    private readonly TimeSpan _anonymousTtl;
    private readonly TimeProvider _time;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private bool _resyncRequested;
    private long _reconnections;
    private string? _unavailable;

    /// <summary>
    /// 1 once this outage's first refused or unanswered batch is logged, until a recovery has re-asserted every owned
    /// context: the stream thread tries a recovery at every poll while Redis is away, and each failed try logged the
    /// same warning again.
    /// </summary>
    private int _outageLogged;

    /// <summary>1 once a batch replaced contexts of another lineage: after a reset every customer's first write does.</summary>
    private int _otherLineageLogged;

    /// <summary>The batch being written in the background (completed when none is).</summary>
    private Task _inFlight = Task.CompletedTask;
    private int _inFlightCount;

    private long _batches;
    private long _roundTrips;
    private long _written;
    private long _resyncs;

    /// <summary>The longest the stream thread waits for one batch; beyond it Redis counts as unavailable.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most contexts one batch holds, each batch with its own <see cref="WriteTimeout"/>: a commit's changes or a
    /// whole store (after a restore, after an outage) in one batch took longer than that at production sizes (50,000
    /// contexts of 3.8 KB took 2.8 s on the 2-core development machine), so it never counted as written. 2,000 took
    /// about a tenth of the timeout there.
    /// </summary>
    public const int BatchSize = 2_000;

    /// <summary>Why a batch was not taken when Redis neither took nor refused it in time.</summary>
    private static readonly string NoAnswerInTime = $"no answer within {WriteTimeout.TotalSeconds:0} s";

    public RedisContextSink(RedisContextWriter writer, TimeSpan anonymousTtl, TimeProvider time, PipelineMetrics metrics, ILogger logger)
    {
        _writer = writer;
        _anonymousTtl = anonymousTtl;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Totals since start, for summaries and benchmarks.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Times every owned context was re-asserted after Redis was unreachable (read from other threads).</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>
    /// Redis reconnected. It may have lost data (restarted without persistence), so the next commit (or commit interval
    /// with nothing to commit) re-asserts every owned context; and a stream thread its outage holds tries to recover at
    /// once (<see cref="Reconnections"/>).
    /// </summary>
    public void Reconnected()
    {
        Volatile.Write(ref _resyncRequested, true);
        Interlocked.Increment(ref _reconnections);
    }

    public long Reconnections => Interlocked.Read(ref _reconnections);

    /// <summary>Why contexts cannot be written now (Redis did not answer), or null.</summary>
    public string? Unavailable => Volatile.Read(ref _unavailable);

    public void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(owned);
        // Looked at again after the wait: the batch before may have failed meanwhile.
        if (Unavailable is not null || !PreviousWritten() || Unavailable is not null)
        {
            // What these changes touched is re-asserted with everything else when Redis is back (Recover).
            return;
        }

        if (Volatile.Read(ref _resyncRequested))
        {
            Resync(owned);
            return;
        }

        // The contexts themselves are the objects the tasks hold, immutable, so the background batch may serialize them
        // while processing makes newer ones (a deletion, or a key gone since, deletes).
        var latest = new Dictionary<string, CustomerContext?>(StringComparer.Ordinal);
        var causes = new List<long>();
        foreach (var change in changes)
        {
            if (_contextStores.Contains(change.Store))
            {
                latest[ProductTopics.ContextIdOf(change.Store, change.Key)] =
                    change.Deleted ? null : owned.Current(change.Store, change.Partition, change.Key, ContextStateSerde.Instance);
                if (!change.Deleted && change.CausedAtMs != StoreChange.NoInputRecord)
                {
                    causes.Add(change.CausedAtMs);
                }
            }
        }

        if (latest.Count > 0)
        {
            _inFlightCount = latest.Count;
            _inFlight = Task.Run(() => WriteInBatchesAsync(latest, causes));
        }
    }

    /// <summary>
    /// Nothing to commit: a re-assertion a reconnect asked for is done now rather than at the next commit, which a
    /// thread with no records to process may not make for hours.
    /// </summary>
    public void Idle(IOwnedStores owned)
    {
        ArgumentNullException.ThrowIfNull(owned);
        if (Volatile.Read(ref _resyncRequested) && Unavailable is null && PreviousWritten())
        {
            Resync(owned);
        }
    }

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for the batch in the background; false when it is still going. Redis
    /// failing it makes the sink <see cref="Unavailable"/>; anything else it threw is thrown here, on the caller's
    /// thread, as it would have been had the batch been written there.
    /// </summary>
    public bool WhenWritten(TimeSpan timeout)
    {
        try
        {
            if (!_inFlight.Wait(timeout))
            {
                return false;
            }
        }
        catch (AggregateException)
        {
            // Thrown below as itself.
        }

        _inFlight.GetAwaiter().GetResult();
        return true;
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
        if (ProductTopics.ContextStores.Contains(store) && Unavailable is null && PreviousWritten())
        {
            // Decoded only if Redis lacks it: the version is read from the bytes.
            Reassert(entries.Select(e => new OwnedContext(
                ProductTopics.ContextIdOf(store, e.Key), ContextState.Version(e.Value), () => ContextStateSerde.Instance.Decode(e.Value))));
        }
    }

    private void Resync(IOwnedStores owned)
    {
        if (!WhenWritten(WriteTimeout))
        {
            // A batch from before is still waiting on Redis: the next recovery tries again.
            return;
        }

        Volatile.Write(ref _resyncRequested, false);
        Volatile.Write(ref _unavailable, null);
        var started = _time.GetTimestamp();
        var writtenBefore = Written;
        var contexts = 0;
        foreach (var store in ProductTopics.ContextStores)
        {
            var owning = owned.Entries(store, ContextStateSerde.Instance)
                .Select(e => new OwnedContext(ProductTopics.ContextIdOf(store, e.Key), e.Value.Version, () => e.Value));
            if (Reassert(owning) is not { } reasserted)
            {
                return;
            }

            contexts += reasserted;
        }

        Interlocked.Exchange(ref _outageLogged, 0);
        Interlocked.Increment(ref _resyncs);
        var took = _time.GetElapsedTime(started);
        Log.ContextsReasserted(_logger, contexts, took.TotalSeconds, Written - writtenBefore);
    }

    /// <summary>
    /// The commit before has been written, waiting at most <see cref="WriteTimeout"/> for each of its batches (a batch
    /// Redis does not take in time ends the write sooner). False when Redis did not answer in time: the sink is then
    /// unavailable until a <see cref="Recover"/> re-asserts every owned context.
    /// </summary>
    private bool PreviousWritten()
    {
        if (WhenWritten(WriteTimeout * Math.Max(1, (_inFlightCount + BatchSize - 1) / BatchSize)))
        {
            return true;
        }

        return MarkUnavailable(NoAnswerInTime, _inFlightCount);
    }

    /// <summary>
    /// Writes contexts (null deletes) in batches of at most <see cref="BatchSize"/>, one after the other, so Redis sees
    /// them in order: how many, or null at the first batch Redis did not take (the sink is then unavailable).
    /// </summary>
    /// <param name="causedAtMs">
    /// The timestamps of the input records that changed the written contexts (one per context; none for a change made
    /// by a timer alone, or for a re-assertion): event-to-Redis latency is measured from each, once all are written.
    /// </param>
    private async Task<int?> WriteInBatchesAsync(IEnumerable<KeyValuePair<string, CustomerContext?>> contexts, IReadOnlyList<long> causedAtMs)
    {
        var written = 0;
        Dictionary<string, CustomerContext?> batch;
        if (contexts is Dictionary<string, CustomerContext?> { Count: <= BatchSize } commit)
        {
            // A commit's changes nearly always fit one batch: written as they are, not copied.
            batch = commit;
        }
        else
        {
            batch = new Dictionary<string, CustomerContext?>(StringComparer.Ordinal);
            foreach (var (contextId, context) in contexts)
            {
                batch[contextId] = context;
                if (batch.Count == BatchSize)
                {
                    if (!await WriteAsync(batch).ConfigureAwait(false))
                    {
                        return null;
                    }

                    written += batch.Count;
                    // Its write is over, so the batch may be filled again.
                    batch.Clear();
                }
            }
        }

        if (!await WriteAsync(batch).ConfigureAwait(false))
        {
            return null;
        }

        var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var causeMs in causedAtMs)
        {
            _metrics.EventToRedisLatency.Record(writtenAt - causeMs);
        }

        return written + batch.Count;
    }

    /// <summary>
    /// Serializes and writes one batch. False when Redis did not take it (the sink is then unavailable until a
    /// <see cref="Recover"/> re-asserts every owned context: a restarted Redis may have lost them all).
    /// </summary>
    private async Task<bool> WriteAsync(Dictionary<string, CustomerContext?> latest)
    {
        if (latest.Count == 0)
        {
            return true;
        }

        var documents = new List<ContextDocument>(latest.Count);
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
            }
        }

        var started = _time.GetTimestamp();
        WriteResult result;
        try
        {
            result = await _writer.WriteAsync(documents, deletions).WaitAsync(WriteTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnanswered(ex))
        {
            return MarkUnavailable(ex, latest.Count);
        }

        _metrics.RedisBatchDuration.Record(_time.GetElapsedTime(started).TotalMilliseconds);
        _metrics.RedisWrites.Add(result.Written, new KeyValuePair<string, object?>("result", "written"));
        _metrics.RedisWrites.Add(result.SkippedAsNotNewer, new KeyValuePair<string, object?>("result", "not_newer"));
        _metrics.RedisWrites.Add(result.Deleted, new KeyValuePair<string, object?>("result", "deleted"));
        if (result.ReplacedForeign > 0)
        {
            Log.ForeignKeysReplaced(_logger, result.ReplacedForeign);
        }

        if (result.ReplacedOtherLineage > 0 && Interlocked.Exchange(ref _otherLineageLogged, 1) == 0)
        {
            Log.OtherLineageReplaced(_logger, result.ReplacedOtherLineage);
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _roundTrips, result.RoundTrips);
        Interlocked.Add(ref _written, result.Written);
        return true;
    }

    /// <summary>Redis refused a command, or did not answer it within the timeout the sink waited.</summary>
    private static bool IsUnanswered(Exception ex) => RedisOutage.Is(ex) || ex is TimeoutException;

    /// <summary>Redis did not take a batch of <paramref name="count"/> contexts, failing with <paramref name="ex"/> (<see cref="IsUnanswered"/>).</summary>
    private bool MarkUnavailable(Exception ex, int count) => MarkUnavailable(ex is TimeoutException ? NoAnswerInTime : RedisOutage.Describe(ex), count);

    /// <summary>
    /// Redis did not take a batch of <paramref name="count"/> contexts, for <paramref name="why"/> (its refusal, or no
    /// answer in time): unavailable until a recovery; always false.
    /// </summary>
    private bool MarkUnavailable(string why, int count)
    {
        _metrics.RedisRetries.Add(1);
        if (Interlocked.Exchange(ref _outageLogged, 1) == 0)
        {
            Log.RedisUnavailable(_logger, why, count);
        }

        Volatile.Write(ref _unavailable, $"Redis did not take a batch of contexts ({why}); processing waits and the contexts are re-asserted when it answers");
        return false;
    }

    /// <summary>A context as the writer takes it: id, version, store presence and the public JSON document.</summary>
    public static ContextDocument Document(CustomerContext context, TimeSpan anonymousTtl)
    {
        ArgumentNullException.ThrowIfNull(context);
        var presence = context.InStore.StoreId is { } storeId ? new StorePresence(storeId, context.InStore.ZoneId, context.InStore.EnteredStoreMs) : null;
        var ttl = !context.Known && anonymousTtl > TimeSpan.Zero ? anonymousTtl : (TimeSpan?)null;
        return new ContextDocument(context.ContextId, context.Version, ContextJson.SerializeToUtf8(context), ttl, presence, context.Known ? context.Identifiers : null);
    }
}
