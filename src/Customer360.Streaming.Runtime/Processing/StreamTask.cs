using System.Globalization;
using System.Text;
using Customer360.Streaming.Runtime.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Task N of a sub-topology: its processor, its stores and its clocks. Kafka-free, so the worker and the in-memory
/// test driver run exactly the same code. Not thread-safe: a task lives on one worker thread.
/// </summary>
public sealed partial class StreamTask : IProcessorContext
{
    /// <summary>Reserved store key holding the task's stream time, so punctuations resume identically after restore.</summary>
    internal const string StreamTimeKey = "\u0000task:stream-time";

    private readonly SubTopology _sub;
    private readonly StreamTopology _topology;
    private readonly StreamsOptions _options;
    private readonly IRecordCollector _collector;
    private readonly StreamsMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly string _groupId;
    private readonly Dictionary<string, IChangeloggedStore> _stores = new(StringComparer.Ordinal);
    private readonly List<Punctuation> _punctuations = [];
    private readonly IProcessor _processor;
    private StreamRecord? _current;

    /// <summary>The processor said the current record's timestamp is wrong (<see cref="DisregardTimestamp"/>).</summary>
    private bool _currentTimestampDisregarded;
    private int _sequence;
    private (string Name, long TimeMs)? _currentPunctuation;

    /// <summary>True while the processor's <see cref="IProcessor.Flush"/> runs: the only time <see cref="EmitVersioned"/> may.</summary>
    private bool _flushing;

    /// <summary>Stream time as last written to the changelog; written once per commit, not per record.</summary>
    private long _savedStreamTimeMs = -1;

    /// <param name="openStore">Opens a store by name, given how it learns the current input's origin and timestamp; default: in memory.</param>
    /// <param name="logger">Where a punctuation a dependency refused is told; default: nowhere.</param>
    public StreamTask(
        StreamTopology topology, SubTopology sub, int partition, IRecordCollector collector, StreamsOptions options, string groupId, StreamsMetrics? metrics = null,
        Func<string, Func<RecordOrigin?>, Func<long>, IChangeloggedStore>? openStore = null, ILogger? logger = null)
    {
        _topology = topology;
        _sub = sub;
        Partition = partition;
        _collector = collector;
        _options = options;
        _groupId = groupId;
        _metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
        foreach (var store in sub.Stores)
        {
            _stores[store] = openStore is null
                ? new InMemoryKeyValueStore(store, CurrentOrigin, CurrentTimestampMs)
                : openStore(store, CurrentOrigin, CurrentTimestampMs);
        }

        try
        {
            _processor = sub.CreateProcessor();
            _processor.Init(this);
        }
        catch
        {
            // Nobody else holds these stores yet; left open, a persistent one would keep its folder locked.
            Close();
            throw;
        }
    }

    public string ApplicationId => _topology.ApplicationId;

    private RecordOrigin? CurrentOrigin() => _current?.Origin;

    /// <summary>What a store change is caused by: the record being processed, or none during a punctuation.</summary>
    private long CurrentTimestampMs() => _current is { } current && !_currentTimestampDisregarded ? current.TimestampMs : StoreChange.NoInputRecord;

    public int Partition { get; }

    public long StreamTimeMs { get; private set; } = -1;

    public StreamRecord? CurrentRecord => _current;

    public SubTopology SubTopology => _sub;

    /// <summary>Why the last record asked for a retry (a sanitized message, no record data).</summary>
    public string? LastRetryReason { get; private set; }

    public IReadOnlyDictionary<string, IChangeloggedStore> Stores => _stores;

    public IKeyValueStore Store(string name) =>
        _stores.TryGetValue(name, out var store) ? store : throw new InvalidOperationException($"Sub-topology '{_sub.Name}' has no store '{name}'.");

    public TaskOutcome Process(StreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _current = record;
        _currentTimestampDisregarded = false;
        _sequence = 0;
        try
        {
            _processor.Process(record);
        }
        catch (Exception ex) when (ex is not (StreamsFatalException or StoreCorruptedException))
        {
            return Reject(record, ex);
        }
        finally
        {
            _current = null;
        }

        _metrics?.RecordsProcessed.Add(1, new KeyValuePair<string, object?>("topic", record.Topic));
        if (record.TimestampMs > StreamTimeMs && !_currentTimestampDisregarded)
        {
            StreamTimeMs = record.TimestampMs;
            Punctuate(PunctuationType.StreamTime, StreamTimeMs);
        }

        return TaskOutcome.Processed;
    }

    /// <summary>
    /// Handles a record that failed, or that the worker refuses before processing (a mis-partitioned key): a transient
    /// error asks for a retry, a permanent one is dead-lettered or stops the topology, as the stage's policy says.
    /// </summary>
    public TaskOutcome Reject(StreamRecord record, Exception error)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(error);
        var (stage, errorClass, transient) = RecordErrors.Classify(error);
        if (transient)
        {
            _metrics?.TransientRetries.Add(1);
            LastRetryReason = RecordErrors.Sanitize(error);
            return TaskOutcome.RetryLater;
        }

        if (_options.PolicyFor(stage) == ErrorPolicy.Fail)
        {
            throw new StreamsFatalException(
                $"{stage} failed on {record.Topic}[{record.Partition}]@{record.Offset} ({errorClass}) and Streams:{RecordErrors.OptionFor(stage)} is Fail.", error);
        }

        DeadLetter(record, stage, errorClass, error);
        return TaskOutcome.DeadLettered;
    }

    public void EmitVersioned(string topic, string key, byte[]? value, long? timestampMs, string version)
    {
        if (!_flushing)
        {
            throw new InvalidOperationException("EmitVersioned is only possible in IProcessor.Flush, at a commit.");
        }

        CheckSink(topic);
        var id = OutputIds.ForVersion(_sub.Name, key, version);
        _collector.Send(new OutgoingRecord(topic, Encoding.UTF8.GetBytes(key), value, timestampMs ?? Math.Max(StreamTimeMs, 0), [new(RecordHeaders.OutputId, id)]));
    }

    private void CheckSink(string topic)
    {
        if (!_sub.Sinks.Contains(topic, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"Sub-topology '{_sub.Name}' has no sink '{topic}'.");
        }
    }

    public void Emit(string topic, string? key, byte[]? value, long? timestampMs = null, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null)
    {
        CheckSink(topic);

        var outputId = _current is { } record
            ? OutputIds.For(_sub.Name, key, record.Origin, _sequence++)
            : _currentPunctuation is { } p
                ? OutputIds.ForPunctuation(_sub.Name, key, p.Name, Partition, p.TimeMs, _sequence++)
                : throw new InvalidOperationException("Emit is only possible while processing a record or a punctuation.");
        var all = new List<KeyValuePair<string, byte[]>>((headers?.Count ?? 0) + 2);
        if (headers is not null)
        {
            all.AddRange(headers);
        }

        if (_current is { } current)
        {
            all.Add(new(RecordHeaders.Origin, current.Origin.ToHeader()));
        }

        all.Add(new(RecordHeaders.OutputId, outputId));
        var timestamp = timestampMs ?? (_current is null ? _currentPunctuation!.Value.TimeMs : CurrentOutputTimestampMs(_current));
        _collector.Send(new OutgoingRecord(topic, key is null ? null : Encoding.UTF8.GetBytes(key), value, timestamp, all));
    }

    public bool IsReplay(IKeyValueStore store, string key)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.HasApplied(key))
        {
            return false;
        }

        _metrics?.Replays.Add(1);
        return true;
    }

    public void CountLate() => _metrics?.LateRecords.Add(1);

    /// <summary>Dated by the record being processed (its own timestamp, which says how long it waited), else by the punctuation.</summary>
    public void RequestCommit() =>
        _collector.RequestCommit(_current?.TimestampMs ?? _currentPunctuation?.TimeMs ?? StreamTimeMs);

    /// <summary>An output's timestamp by default: its input's, or stream time when the processor disregarded the input's.</summary>
    private long CurrentOutputTimestampMs(StreamRecord current) => _currentTimestampDisregarded ? Math.Max(StreamTimeMs, 0) : current.TimestampMs;

    public void DisregardTimestamp()
    {
        if (_current is null)
        {
            throw new InvalidOperationException("Only a record's timestamp can be disregarded, and only while the record is processed.");
        }

        _currentTimestampDisregarded = true;
    }

    /// <summary>
    /// Lets the processor emit what it coalesced (<see cref="IProcessor.Flush"/>), then adds each store's changes to
    /// <paramref name="changelog"/> as records for its changelog partition (latest value per key), for the caller to
    /// send, and the processor's keys among them to <paramref name="changed"/>.
    /// </summary>
    public void PrepareChangelog(ICollection<StoreChange> changed, ICollection<OutgoingRecord> changelog)
    {
        _flushing = true;
        try
        {
            _processor.Flush();
        }
        finally
        {
            _flushing = false;
        }

        if (StreamTimeMs > _savedStreamTimeMs)
        {
            SaveStreamTime();
        }

        foreach (var (name, store) in _stores)
        {
            foreach (var (key, value, causedAtMs) in store.TakeChanges())
            {
                changelog.Add(new OutgoingRecord(_topology.ChangelogTopic(name), Encoding.UTF8.GetBytes(key), value, Math.Max(StreamTimeMs, 0), [], Partition));
                if (!ChangelogRecords.IsRuntimeKey(key))
                {
                    changed.Add(new StoreChange(name, Partition, key, value is null, causedAtMs));
                }
            }
        }
    }

    /// <summary>The changelog acknowledged the last <see cref="PrepareChangelog"/>'s records: persistent stores write it now.</summary>
    public void ChangesDurable()
    {
        foreach (var store in _stores.Values)
        {
            store.ChangesDurable();
        }
    }

    /// <summary>Makes what the stores wrote survive a machine crash, before a checkpoint names it.</summary>
    public void Sync()
    {
        foreach (var store in _stores.Values)
        {
            store.Sync();
        }
    }

    /// <summary>Closes the task's stores (a persistent store keeps its files for the next owner on this machine).</summary>
    public void Close()
    {
        foreach (var store in _stores.Values)
        {
            store.Dispose();
        }
    }

    /// <summary>Applies one changelog record to a store during restore.</summary>
    public void Restore(string store, string key, ReadOnlySpan<byte> value, bool tombstone)
    {
        // Stream time is read back from the stores when restore completes: a persistent store writes restored
        // records in batches, so it is not readable here yet.
        _stores[store].Restore(key, value, tombstone);
        _metrics?.RestoredRecords.Add(1, new KeyValuePair<string, object?>("store", store));
    }

    /// <summary>Called when restore is complete: nothing restored is pending for the changelog.</summary>
    public void RestoreCompleted()
    {
        foreach (var store in _stores.Values)
        {
            store.RestoreCompleted();
        }

        // Whether it came with the changelog's tail or was already in a local copy, each store holds the stream time.
        foreach (var store in _stores.Values)
        {
            if (store.Get(StreamTimeKey) is { } saved)
            {
                StreamTimeMs = Math.Max(StreamTimeMs, long.Parse(Encoding.UTF8.GetString(saved), CultureInfo.InvariantCulture));
                _savedStreamTimeMs = StreamTimeMs;
            }
        }

        foreach (var punctuation in _punctuations.Where(p => p.Type == PunctuationType.StreamTime && StreamTimeMs >= 0))
        {
            punctuation.AlignAfter(StreamTimeMs);
        }
    }

    private void SaveStreamTime()
    {
        _savedStreamTimeMs = StreamTimeMs;
        // Kept in every store of the task, so whichever changelog is restored brings stream time back with it.
        foreach (var store in _stores.Values)
        {
            store.Put(StreamTimeKey, Encoding.UTF8.GetBytes(StreamTimeMs.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private void DeadLetter(StreamRecord record, ErrorStage stage, string errorClass, Exception error)
    {
        var headers = DeadLetterRecord.Headers(record, _groupId, stage.ToString().ToLowerInvariant(), errorClass, RecordErrors.Sanitize(error));
        var (deadLetter, truncated) = DeadLetterRecord.Build(_topology.DeadLetterTopic, record, headers, _options.DeadLetterMaxBytes);
        _collector.Send(deadLetter);
        if (truncated)
        {
            _metrics?.DeadLettersTruncated.Add(1);
        }

        _metrics?.DeadLetters.Add(1, new KeyValuePair<string, object?>("stage", stage.ToString()), new KeyValuePair<string, object?>("error_class", errorClass));
    }
}
