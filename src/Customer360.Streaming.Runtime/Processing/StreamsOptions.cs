using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>How processed positions, state and outputs are made durable together.</summary>
public enum ProcessingGuarantee
{
    /// <summary>Outputs acknowledged, then changelog, then offsets; replays are recognised by applied offsets and output ids.</summary>
    AtLeastOnce,

    /// <summary>Outputs, changelog and offsets in one Kafka transaction per commit interval (KIP-447).</summary>
    ExactlyOnceV2,
}

/// <summary>What to do with a record that fails permanently.</summary>
public enum ErrorPolicy
{
    /// <summary>Stop the processor; the record stays uncommitted.</summary>
    Fail,

    /// <summary>Write it to the dead-letter topic with its origin and carry on.</summary>
    DeadLetter,
}

/// <summary>Where a task keeps its stores between restarts.</summary>
public enum StateStoreKind
{
    /// <summary>RocksDB under <c>Streams:StateDirectory</c>, with a checkpoint per task: a restart restores only the changelogs' tails.</summary>
    RocksDb,

    /// <summary>In memory: every start restores every store from the beginning of its changelog.</summary>
    InMemory,
}

/// <summary>What a task does when its changelog no longer starts at offset 0 (the broker deleted its oldest records).</summary>
public enum ChangelogTruncationPolicy
{
    /// <summary>Stop with an error naming the store, partition and offsets: state was lost and nobody chose to go on.</summary>
    Fail,

    /// <summary>Restore what remains, count it and log an error; keys whose records were deleted start anew.</summary>
    RestoreRemaining,
}

/// <summary>Where a record failed.</summary>
public enum ErrorStage
{
    Deserialize,
    Validate,
    Process,
}

/// <summary>Implemented by errors that know their stage, kind and whether retrying can help (e.g. serde errors).</summary>
public interface IClassifiedError
{
    ErrorStage Stage { get; }

    string ErrorClass { get; }

    bool IsTransient { get; }
}

/// <summary>Stream runtime behaviour (configuration section <c>Streams</c>).</summary>
public sealed class StreamsOptions
{
    public const string SectionName = "Streams";

    /// <summary>ExactlyOnceV2 against a real broker; the embedded broker cannot enforce it, so local runs use AtLeastOnce.</summary>
    public ProcessingGuarantee ProcessingGuarantee { get; set; } = ProcessingGuarantee.ExactlyOnceV2;

    /// <summary>Stable id of this process, part of each thread's transactional.id; default: the host name.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{0,100}$", ErrorMessage = "Streams:InstanceId must be up to 100 letters, digits, '.', '_' or '-'.")]
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>
    /// Static group membership (KIP-345): stream thread n joins as <c>&lt;ApplicationId&gt;-&lt;InstanceId&gt;-n</c>, so a
    /// restart within <c>session.timeout.ms</c> gets its partitions back without a rebalance of the group. Off by
    /// default because the embedded broker mishandles static members; turn it on against a real Kafka, with an
    /// <see cref="InstanceId"/> that stays the same across restarts and differs between processes.
    /// </summary>
    public bool StaticMembership { get; set; }

    /// <summary>
    /// Stream threads in this process, each a member of the group with its own clients; 0 means one per processor.
    /// One by default, as in Kafka Streams: one thread takes every task's records in timestamp order, so the same input
    /// gives the same contexts and triggers. Threads meet on the repartition topics in the order they arrive, which
    /// differs from run to run (measured: about a thousand of 5,000 contexts differ after a two-thread drain); more
    /// threads are for throughput (a second one drained 4 % faster on two cores).
    /// </summary>
    [Range(0, 64, ErrorMessage = "Streams:Threads must be between 0 (one per processor) and 64.")]
    public int Threads { get; set; } = 1;

    /// <summary>How many times, in the life of the process, a thread that died of a Kafka client error is replaced.</summary>
    [Range(0, 1_000, ErrorMessage = "Streams:MaxThreadReplacements must be between 0 and 1000.")]
    public int MaxThreadReplacements { get; set; } = 3;

    public ErrorPolicy OnDeserializationError { get; set; } = ErrorPolicy.DeadLetter;

    public ErrorPolicy OnValidationError { get; set; } = ErrorPolicy.DeadLetter;

    /// <summary>Unexpected exceptions in processors are bugs: stop by default rather than skip data.</summary>
    public ErrorPolicy OnProcessingError { get; set; } = ErrorPolicy.Fail;

    public StateStoreKind StateStore { get; set; } = StateStoreKind.RocksDb;

    /// <summary>Where RocksDB stores and checkpoints live; default <c>./state/&lt;ApplicationId&gt;</c>. One process per folder.</summary>
    public string StateDirectory { get; set; } = string.Empty;

    /// <summary>
    /// The memory the process's RocksDB stores share, in MiB: one block cache, with the memtables (up to half of it)
    /// charged to it (see <see cref="Stores.RocksDbMemory"/>). Without a bound each store took its own, and memory grew
    /// with the number of tasks. Heap memory (decoded entries, buffered records) comes on top.
    /// </summary>
    [Range(16, 1_048_576, ErrorMessage = "Streams:StateMemoryMiB must be between 16 and 1048576.")]
    public int StateMemoryMiB { get; set; } = 256;

    /// <summary>
    /// What the process's RocksDB stores keep decoded on the heap, in MiB of the entries' encoded size (the objects take
    /// several times that: 6.3 times for the simulator's contexts): recently read and written entries, so the next
    /// record of a key neither reads RocksDB nor decodes again (see <see cref="Stores.EntryCacheBudget"/>). Before,
    /// each store kept 10,000 entries, so the heap grew with the number of tasks.
    /// </summary>
    [Range(1, 1_048_576, ErrorMessage = "Streams:StateCacheMiB must be between 1 and 1048576.")]
    public int StateCacheMiB { get; set; } = Stores.RocksDbMemory.DefaultEntryCacheMiB;

    /// <summary>A changelog whose oldest records the broker deleted (retention on a changelog, or the embedded broker's size limit).</summary>
    public ChangelogTruncationPolicy OnChangelogTruncated { get; set; } = ChangelogTruncationPolicy.Fail;

    [Range(1, 600_000, ErrorMessage = "Streams:TransientRetryBackoffMs must be between 1 and 600000.")]
    public int TransientRetryBackoffMs { get; set; } = 500;

    [Range(1, 3_600_000, ErrorMessage = "Streams:TransientRetryBackoffMaxMs must be between 1 and 3600000.")]
    public int TransientRetryBackoffMaxMs { get; set; } = 30_000;

    /// <summary>
    /// The wait before the next try after <paramref name="refusals"/> refusals in a row (at least one): the first
    /// <see cref="TransientRetryBackoffMs"/>, each further one doubled, up to <see cref="TransientRetryBackoffMaxMs"/>.
    /// </summary>
    public int TransientRetryBackoffAfter(int refusals)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(refusals, 1);
        return refusals == 1
            ? TransientRetryBackoffMs
            : (int)Math.Min((long)TransientRetryBackoffMs << Math.Min(refusals - 1, 32), TransientRetryBackoffMaxMs);
    }

    /// <summary>
    /// How long a task waits for a partition that may still hold older records on the broker before it processes
    /// what it has (Kafka Streams' max.task.idle.ms, enforced when the broker's position is unknown).
    /// </summary>
    [Range(0, 60_000, ErrorMessage = "Streams:MaxTaskIdleMs must be between 0 and 60000.")]
    public int MaxTaskIdleMs { get; set; } = 2_000;

    /// <summary>
    /// The largest dead letter written, headers included. Below the producer's message.max.bytes (1,000,000 by
    /// default) so a dead letter is always accepted; a larger original is cut to fit and says so in a header.
    /// </summary>
    [Range(16_384, 100_000_000, ErrorMessage = "Streams:DeadLetterMaxBytes must be between 16384 and 100000000.")]
    public int DeadLetterMaxBytes { get; set; } = 999_000;

    [Range(1_000, 900_000, ErrorMessage = "Streams:TransactionTimeoutMs must be between 1000 and 900000.")]
    public int TransactionTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// The longest a stopping stream thread waits for its consumer to leave the group (Kafka Streams' close timeout).
    /// Everything is committed before; a coordinator that holds the leave longer (behind a pending join) only delays
    /// the reassignment to the session timeout, as after a crash, so the stop need not wait for it.
    /// </summary>
    [Range(100, 300_000, ErrorMessage = "Streams:CloseTimeoutMs must be between 100 and 300000.")]
    public int CloseTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// How often a stream thread deletes the records of its repartition topics below their committed offsets (Kafka
    /// Streams' <c>repartition.purge.interval.ms</c>, whose default this is); 0 turns it off. Records below a committed
    /// offset are never read again. Against the embedded broker, whose fetches walk a partition's whole log, the demo
    /// purges every second.
    /// </summary>
    [Range(0, 86_400_000, ErrorMessage = "Streams:RepartitionPurgeIntervalMs must be between 0 (off) and 86400000.")]
    public int RepartitionPurgeIntervalMs { get; set; } = 30_000;

    public string ResolvedStateDirectory(string applicationId) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(StateDirectory) ? Path.Combine("state", applicationId) : StateDirectory);

    public string ResolvedInstanceId => string.IsNullOrWhiteSpace(InstanceId) ? Environment.MachineName : InstanceId;

    public int ResolvedThreads => Threads == 0 ? Environment.ProcessorCount : Threads;

    /// <summary>Stream thread <paramref name="thread"/>'s stable id: its <c>transactional.id</c>, and its <c>group.instance.id</c> under static membership.</summary>
    public string ThreadInstanceId(string applicationId, int thread) => $"{applicationId}-{ResolvedInstanceId}-{thread}";

    /// <summary>The consumer's <c>group.instance.id</c> under <see cref="StaticMembership"/>, else null (dynamic membership).</summary>
    public string? GroupInstanceId(string applicationId, int thread) => StaticMembership ? ThreadInstanceId(applicationId, thread) : null;

    public ErrorPolicy PolicyFor(ErrorStage stage) => stage switch
    {
        ErrorStage.Deserialize => OnDeserializationError,
        ErrorStage.Validate => OnValidationError,
        _ => OnProcessingError,
    };
}
