using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>When a punctuation fires: with record time (only as data arrives) or with the clock (also without data).</summary>
public enum PunctuationType
{
    StreamTime,
    WallClockTime,
}

/// <summary>Processes the records of one task (one partition number of a sub-topology). Created per task.</summary>
public interface IProcessor
{
    void Init(IProcessorContext context);

    void Process(StreamRecord record);

    /// <summary>
    /// Called at each commit before the stores' changes are taken: emit here what is published once per changed key per
    /// commit rather than per record (<see cref="IProcessorContext.EmitVersioned"/>).
    /// </summary>
    void Flush()
    {
    }
}

/// <summary>What a processor may do: use its task's stores, emit records, schedule punctuations.</summary>
public interface IProcessorContext
{
    string ApplicationId { get; }

    /// <summary>The task's partition number.</summary>
    int Partition { get; }

    /// <summary>Largest record timestamp this task has seen (−1 before the first record).</summary>
    long StreamTimeMs { get; }

    /// <summary>The record being processed; null inside a punctuation.</summary>
    StreamRecord? CurrentRecord { get; }

    IKeyValueStore Store(string name);

    /// <summary>
    /// Sends a record to a sink topic of the sub-topology. Its id header is derived from the emitting sub-topology,
    /// the key and the current input's origin (or the punctuation), so a replay emits the same id.
    /// </summary>
    void Emit(string topic, string? key, byte[]? value, long? timestampMs = null, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null);

    /// <summary>
    /// Sends a record from <see cref="IProcessor.Flush"/>: one per changed key per commit, its id header derived from the
    /// key and <paramref name="version"/> (a coalesced output stems from several inputs, so from none in particular).
    /// </summary>
    void EmitVersioned(string topic, string key, byte[]? value, long? timestampMs, string version);

    /// <summary>
    /// Calls <paramref name="punctuate"/> on every <paramref name="interval"/> boundary of stream time (as records move
    /// it) or of the wall clock. A punctuation that raises <see cref="TransientProcessingException"/> (or a transient
    /// serde error) is called again at its next boundary; what it changed before raising stands, so it should finish
    /// one unit of work (a customer's due timers) before starting the next.
    /// </summary>
    void Schedule(string name, TimeSpan interval, PunctuationType type, Action<long> punctuate);

    /// <summary>True (and counted) when the current input was already applied to <paramref name="key"/>: skip it.</summary>
    bool IsReplay(IKeyValueStore store, string key);

    /// <summary>Counts a record that arrived later than the processor's grace period and was not applied.</summary>
    void CountLate();

    /// <summary>
    /// The current record is taken although its timestamp is wrong (dated further ahead than the topology refuses, see
    /// <see cref="StreamTopologyBuilder.RefusesTimestampsAhead"/>): the timestamp moves no stream time, the store changes
    /// the record makes are not dated by it, and what it emits is dated by stream time instead. For a record whose
    /// content must not wait, such as an erasure.
    /// </summary>
    void DisregardTimestamp();

    /// <summary>
    /// Asks for what was emitted so far to become visible soon, as Kafka Streams' <c>ProcessorContext.commit()</c>
    /// does: for an output that marks a moment happening now. Under exactly_once_v2 a consumer sees outputs only once
    /// their transaction commits, so the thread commits after the records at hand rather than at the commit interval,
    /// though no sooner than <c>Kafka:PromptCommitIntervalMs</c> after the last commit. The request is let go when the
    /// record being processed is older than a commit interval (the thread is working off a backlog, and commits at
    /// its own pace). Under at_least_once an output is visible once sent, and a request changes nothing.
    /// </summary>
    void RequestCommit();
}

/// <summary>A record that is well formed but invalid for the topology: dead-lettered at stage "validate".</summary>
public sealed class PoisonRecordException : Exception
{
    public PoisonRecordException(string message)
        : base(message)
    {
    }

    public PoisonRecordException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PoisonRecordException()
    {
    }
}

/// <summary>
/// A dependency is unavailable (registry, Redis): the partition pauses and the record is retried, never dead-lettered.
/// Raise it before changing any state for the record.
/// </summary>
public sealed class TransientProcessingException : Exception
{
    public TransientProcessingException(string message)
        : base(message)
    {
    }

    public TransientProcessingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TransientProcessingException()
    {
    }
}

/// <summary>The topology cannot continue (a processing error under the Fail policy).</summary>
public sealed class StreamsFatalException : Exception
{
    public StreamsFatalException(string message)
        : base(message)
    {
    }

    public StreamsFatalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StreamsFatalException()
    {
    }
}
