using System.Diagnostics.Metrics;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The runtime's instruments on a <see cref="Meter"/> named <see cref="MeterName"/>; exporters (Prometheus,
/// OpenTelemetry) subscribe to it. Lag per partition is read from <see cref="StreamWorkerStatus"/>.
/// </summary>
public sealed class StreamsMetrics : IDisposable
{
    public const string MeterName = "Customer360.Streaming.Runtime";

    public StreamsMetrics(IMeterFactory? factory = null)
    {
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        RecordsProcessed = Meter.CreateCounter<long>("c360.records.processed", "{record}", "Records processed, by source topic");
        DeadLetters = Meter.CreateCounter<long>("c360.dead_letters", "{record}", "Records written to the dead-letter topic, by stage and error class");
        DeadLettersTruncated = Meter.CreateCounter<long>(
            "c360.dead_letters.truncated", "{record}", "Dead letters whose original value or key was cut to fit Streams:DeadLetterMaxBytes");
        MisPartitionedRecords = Meter.CreateCounter<long>(
            "c360.records.mispartitioned", "{record}", "Keyed input records on another partition than murmur2 assigns their key, dead-lettered, by topic");
        TransientRetries = Meter.CreateCounter<long>("c360.transient_retries", "{attempt}", "Records paused for retry, and punctuations left to their next time, after a transient failure");
        LateRecords = Meter.CreateCounter<long>("c360.records.late", "{record}", "Records later than the grace period, counted and not applied");
        Replays = Meter.CreateCounter<long>("c360.records.replayed", "{record}", "Replayed records recognised by applied offsets and skipped");
        CommitDuration = Meter.CreateHistogram<double>("c360.commit.duration", "ms", "Time to make a commit interval durable");
        CommitStepDuration = Meter.CreateHistogram<double>(
            "c360.commit.step.duration", "ms", "Time of each step of a commit (prepare_changelogs, flush_outputs, send_changelogs, changes_durable, commit_offsets, or a transaction's), by step");
        PromptedCommits = Meter.CreateCounter<long>(
            "c360.commits.prompted", "{commit}", "Commits a processor's request brought forward (exactly_once_v2, Kafka:PromptCommitIntervalMs) before the commit interval was up");
        DeletedUnread = Meter.CreateCounter<long>(
            "c360.records.deleted_unread", "{offset}", "Source offsets the broker deleted before the processor read them (retention shorter than its lag or downtime), by topic: records lost to every stage after the source");
        RestoredRecords = Meter.CreateCounter<long>("c360.restore.records", "{record}", "Changelog records replayed into stores");
        SkippedRestoreRecords = Meter.CreateCounter<long>(
            "c360.restore.records.skipped", "{record}", "Changelog records restore passed over because this runtime did not write them (no key, or not a store entry), by store");
        ChangelogTruncations = Meter.CreateCounter<long>(
            "c360.changelog.truncated", "{partition}", "Changelog partitions found not starting at offset 0 at restore: state the broker deleted, by store");
        DamagedStores = Meter.CreateCounter<long>(
            "c360.store.damaged", "{store}", "Stores found damaged on disk while running, by store: each time, the thread redid its uncommitted work and restored the store's task from its changelog");
        Rebalances = Meter.CreateCounter<long>("c360.rebalances", "{event}", "Partition assignments, revocations and losses");
        EventToOutputLatency = Meter.CreateHistogram<double>("c360.event_to_output.latency", "ms", "From a record's timestamp to the commit that made its outputs visible");
        OutputLatency = Meter.CreateHistogram<double>(
            "c360.output.latency", "ms", "From an output's timestamp (the event time it stems from) to the commit that made it visible, by output topic");
        RecordAge = Meter.CreateHistogram<double>(
            "c360.record.age", "ms", "From a record's timestamp to its stage taking it, by stage: summed hop by hop, where a record's wait comes from");
        RepartitionPurges = Meter.CreateCounter<long>(
            "c360.repartition.purges", "{partition}", "Repartition partitions whose records below the committed offset were deleted (or failed to be), by outcome");
        ThreadReplacements = Meter.CreateCounter<long>("c360.stream_thread.replacements", "{thread}", "Stream threads that died of a Kafka client error and were replaced");
        ThreadTime = Meter.CreateCounter<double>(
            "c360.stream_thread.time", "s", "Wall-clock time of each stream thread by what its loop was doing (poll, restore, process, punctuate, commit, or held while an outside store is unavailable): its rate is the share of each");
    }

    /// <summary>The meter these instruments belong to (tests listen to this instance alone).</summary>
    public Meter Meter { get; }

    public Counter<long> RecordsProcessed { get; }

    public Counter<long> DeadLetters { get; }

    public Counter<long> DeadLettersTruncated { get; }

    public Counter<long> MisPartitionedRecords { get; }

    public Counter<long> TransientRetries { get; }

    public Counter<long> LateRecords { get; }

    public Counter<long> Replays { get; }

    /// <summary>Per source topic: offsets the broker deleted before a stream thread fetched them (<see cref="DeletedUnreadCheck"/>).</summary>
    public Counter<long> DeletedUnread { get; }

    public Histogram<double> CommitDuration { get; }

    public Histogram<double> CommitStepDuration { get; }

    /// <summary>Commits brought forward by <see cref="IProcessorContext.RequestCommit"/>; with the commit interval's, every commit is one of the two.</summary>
    public Counter<long> PromptedCommits { get; }

    /// <summary>Changelog partitions whose oldest records were deleted, found at restore.</summary>
    public Counter<long> ChangelogTruncations { get; }

    public Counter<long> RestoredRecords { get; }

    /// <summary>Changelog records another program wrote, which restore passed over.</summary>
    public Counter<long> SkippedRestoreRecords { get; }

    /// <summary>Stores a read found damaged on disk, whose tasks were wiped and restored from their changelogs.</summary>
    public Counter<long> DamagedStores { get; }

    public Counter<long> Rebalances { get; }

    public Histogram<double> EventToOutputLatency { get; }

    /// <summary>Per output topic: for triggers, event-to-trigger latency.</summary>
    public Histogram<double> OutputLatency { get; }

    /// <summary>Per stage (sub-topology): how old a record is when the stage takes it (Kafka Streams' record-e2e-latency at a source).</summary>
    public Histogram<double> RecordAge { get; }

    /// <summary>Per outcome (deleted, failed): repartition partitions purged below their committed offsets.</summary>
    public Counter<long> RepartitionPurges { get; }

    public Counter<long> ThreadReplacements { get; }

    /// <summary>Per stream thread and loop phase: Kafka Streams' poll-, process-, punctuate- and commit-ratio, as seconds to take a rate of.</summary>
    public Counter<double> ThreadTime { get; }

    /// <summary>Per stream thread: its assigned partitions (tagged with its state) and the records it consumed.</summary>
    public void ObserveThreads(Func<IReadOnlyList<StreamThreadView>> threads)
    {
        Meter.CreateObservableGauge(
            "c360.stream_thread.partitions",
            () => threads().Select(t => new Measurement<int>(
                t.Partitions.Count, new KeyValuePair<string, object?>("thread", t.Name), new KeyValuePair<string, object?>("state", t.State.ToString()))),
            "{partition}",
            "Partitions assigned to each stream thread, tagged with the thread's state");
        Meter.CreateObservableCounter(
            "c360.stream_thread.records",
            () => threads().Select(t => new Measurement<long>(t.RecordsConsumed, new KeyValuePair<string, object?>("thread", t.Name))),
            "{record}",
            "Records consumed by each stream thread");
    }

    /// <summary>The RocksDB stores' shared memory: what they hold now, and the budget it stays near; and the same for the entries they keep decoded.</summary>
    public void ObserveStateMemory(RocksDbMemory memory)
    {
        Meter.CreateObservableGauge(
            "c360.state.memory.used", () => memory.UsageBytes, "By", "Memory the RocksDB stores hold in their shared cache: cached blocks and the memtables charged to it");
        Meter.CreateObservableGauge("c360.state.memory.budget", () => memory.BudgetBytes, "By", "The RocksDB stores' shared memory budget (Streams:StateMemoryMiB)");
        Meter.CreateObservableGauge(
            "c360.state.cache.used", () => memory.EntryCache.UsedBytes, "By", "Encoded size of the entries the RocksDB stores keep decoded on the heap (within Streams:StateCacheMiB)");
        Meter.CreateObservableGauge("c360.state.cache.budget", () => memory.EntryCache.BudgetBytes, "By", "The budget for entries kept decoded (Streams:StateCacheMiB)");
    }

    public void Dispose() => Meter.Dispose();
}
