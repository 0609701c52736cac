using Microsoft.Extensions.Logging;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Runs a topology in memory, without a broker: pipe records in, advance the clock, read outputs and store contents.
/// Records are partitioned with murmur2 like real producers, repartition outputs flow back into the topology, and
/// changelogs are kept. Tools replay recorded input through it (<c>c360 rules test</c>); the test driver in
/// <c>Runtime.Testing</c> adds crashes and replays from an offset.
/// </summary>
public class InMemoryTopologyRunner : IRecordCollector
{
    private readonly StreamTopology _topology;
    private readonly StreamsOptions _options;
    private readonly Dictionary<(string Sub, int Partition), StreamTask> _tasks = [];
    private readonly Dictionary<string, List<OutgoingRecord>> _topics = new(StringComparer.Ordinal);
    private readonly Queue<OutgoingRecord> _pendingRepartition = new();
    private long _wallClockMs;

    public InMemoryTopologyRunner(StreamTopology topology, int partitions = 1, StreamsOptions? options = null, long startWallClockMs = 0)
    {
        _topology = topology;
        Partitions = partitions;
        _options = options ?? new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce };
        _wallClockMs = startWallClockMs;
    }

    public StreamsMetrics Metrics { get; } = new();

    /// <summary>What the tasks log (a punctuation a dependency refused); default: nowhere.</summary>
    public ILogger? TaskLogger { get; init; }

    /// <summary>How often a task asked for a commit soon (<see cref="IProcessorContext.RequestCommit"/>); the runner has no commits to bring forward.</summary>
    public int CommitRequests { get; private set; }

    /// <summary>Partitions of every topic.</summary>
    public int Partitions { get; }

    internal StreamTopology Topology => _topology;

    /// <summary>Every record delivered, per input partition, with the offset it was given.</summary>
    internal Dictionary<(string Topic, int Partition), List<StreamRecord>> InputLog { get; } = [];

    /// <summary>Processes one record now; returns what became of it.</summary>
    public TaskOutcome PipeInput(string topic, string? key, byte[]? value, long timestampMs, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null)
    {
        var keyBytes = key is null ? null : Encoding.UTF8.GetBytes(key);
        var partition = keyBytes is null ? 0 : Murmur2.Partition(keyBytes, Partitions);
        return Deliver(topic, partition, keyBytes, value, timestampMs, headers ?? []);
    }

    public TaskOutcome PipeInput(string topic, string? key, string value, long timestampMs) =>
        PipeInput(topic, key, Encoding.UTF8.GetBytes(value), timestampMs);

    /// <summary>The driver's wall clock, in epoch milliseconds.</summary>
    public long WallClockMs => _wallClockMs;

    public void AdvanceWallClock(TimeSpan by)
    {
        _wallClockMs += (long)by.TotalMilliseconds;
        foreach (var task in _tasks.Values)
        {
            task.PunctuateWallClock(_wallClockMs);
        }

        Drain();
    }

    /// <summary>The topics anything was sent to so far.</summary>
    public IReadOnlyCollection<string> WrittenTopics => _topics.Keys;

    /// <summary>Everything sent to <paramref name="topic"/> so far, in order (outputs, repartition, changelog, DLQ).</summary>
    public IReadOnlyList<OutgoingRecord> ReadOutput(string topic) =>
        _topics.TryGetValue(topic, out var records) ? records : [];

    public IReadOnlyDictionary<string, byte[]> StoreContents(string store, int partition = 0)
    {
        var task = _tasks.Values.FirstOrDefault(t => t.Partition == partition && t.Stores.ContainsKey(store));
        return task is null ? new Dictionary<string, byte[]>() : task.Store(store).All().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Flushes every task's coalesced changes to its changelog, as a commit would, and returns the store keys it made
    /// durable: what a commit observer (the Redis sink) is told.
    /// </summary>
    public IReadOnlyList<StoreChange> Commit()
    {
        var changed = new List<StoreChange>();
        new ChangelogBatch().Send(_tasks.Values, changed, this);
        return changed;
    }

    void IRecordCollector.RequestCommit(long causeTimestampMs) => CommitRequests++;

    void IRecordCollector.Send(OutgoingRecord record)
    {
        if (!_topics.TryGetValue(record.Topic, out var list))
        {
            _topics[record.Topic] = list = [];
        }

        list.Add(record);
        if (_topology.RepartitionTopics.Contains(record.Topic))
        {
            _pendingRepartition.Enqueue(record);
        }
    }

    /// <summary>Forgets every task, as a crash does; <see cref="TaskFor"/> creates them anew.</summary>
    internal void ForgetTasks() => _tasks.Clear();

    private TaskOutcome Deliver(string topic, int partition, byte[]? key, byte[]? value, long timestampMs, IReadOnlyList<KeyValuePair<string, byte[]>> headers)
    {
        if (!InputLog.TryGetValue((topic, partition), out var log))
        {
            InputLog[(topic, partition)] = log = [];
        }

        var record = new StreamRecord(topic, partition, log.Count, timestampMs, key, value, headers, _topology.OriginTopicsOf(topic));
        log.Add(record);
        return Process(record);
    }

    internal TaskOutcome Process(StreamRecord record)
    {
        var task = TaskFor(_topology.SubTopologyOf(record.Topic), record.Partition);
        var outcome = task.Process(record);
        Drain();
        return outcome;
    }

    private void Drain()
    {
        while (_pendingRepartition.TryDequeue(out var record))
        {
            var partition = record.Partition ?? (record.Key is null ? 0 : Murmur2.Partition(record.Key, Partitions));
            Deliver(record.Topic, partition, record.Key, record.Value, record.TimestampMs, record.Headers);
        }
    }

    internal StreamTask TaskFor(SubTopology sub, int partition)
    {
        if (!_tasks.TryGetValue((sub.Name, partition), out var task))
        {
            task = new StreamTask(_topology, sub, partition, this, _options, _topology.ApplicationId, Metrics, logger: TaskLogger);
            _tasks[(sub.Name, partition)] = task;
        }

        return task;
    }
}
