using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime;

/// <summary>Every log event of the runtime, with stable event ids. No keys, payloads or secrets are ever logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Worker {ClientId} subscribed to {TopicCount} topics in group {GroupId} ({Guarantee})")]
    public static partial void WorkerStarted(ILogger logger, string clientId, int topicCount, string groupId, ProcessingGuarantee guarantee);

    [LoggerMessage(1001, LogLevel.Information, "Worker {ClientId} stopped cleanly after {Records} records")]
    public static partial void WorkerStopped(ILogger logger, string clientId, long records);

    [LoggerMessage(1002, LogLevel.Error, "Worker {ClientId} failed")]
    public static partial void WorkerFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(1003, LogLevel.Information, "Worker {ClientId} was assigned {PartitionCount} partitions ({TaskCount} tasks)")]
    public static partial void PartitionsAssigned(ILogger logger, string clientId, int partitionCount, int taskCount);

    [LoggerMessage(1004, LogLevel.Information, "Worker {ClientId} committed and released {PartitionCount} revoked partitions")]
    public static partial void PartitionsRevoked(ILogger logger, string clientId, int partitionCount);

    [LoggerMessage(1005, LogLevel.Warning, "Worker {ClientId} lost {PartitionCount} partitions; their uncommitted work is discarded")]
    public static partial void PartitionsLost(ILogger logger, string clientId, int partitionCount);

    [LoggerMessage(1006, LogLevel.Debug, "Committed {PartitionCount} partition positions in {ElapsedMs:0.0} ms")]
    public static partial void Committed(ILogger logger, int partitionCount, double elapsedMs);

    [LoggerMessage(1007, LogLevel.Warning, "Worker {ClientId} Kafka client error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string clientId, ErrorCode code, string reason);

    [LoggerMessage(1052, LogLevel.Warning, "Worker {ClientId} Kafka client error {Code}: {Reason} ({HeldBack} more like it held back before this one)")]
    public static partial void ClientErrorAfterHeldBack(ILogger logger, string clientId, ErrorCode code, string reason, int heldBack);

    [LoggerMessage(EventId = 1048, Message = "Kafka client {ClientName} {Facility}: {Text}")]
    public static partial void KafkaClientLine(ILogger logger, LogLevel level, string clientName, string facility, string text);

    [LoggerMessage(EventId = 1049, Message = "Kafka client {ClientName} {Facility}: {Text} ({HeldBack} more like it held back before this one)")]
    public static partial void KafkaClientLineAfterHeldBack(ILogger logger, LogLevel level, string clientName, string facility, string text, int heldBack);

    [LoggerMessage(1053, LogLevel.Error, "Worker {ClientId}: the broker deleted {Count} records of {Topic}[{Partition}] (offsets {From} to {To}) before they were read; they are lost to every stage after the source. The topic's retention is shorter than this processor's lag or downtime")]
    public static partial void DeletedUnread(ILogger logger, string clientId, string topic, int partition, long count, long from, long to);

    [LoggerMessage(1054, LogLevel.Warning, "Worker {ClientId} could not tell whether the broker deleted records of {PartitionCount} partitions before they were read: their committed offsets did not come ({Reason})")]
    public static partial void DeletedUnreadUnknown(ILogger logger, string clientId, int partitionCount, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "Worker {ClientId} rebuilds after fatal error {Code} (generation {Generation})")]
    public static partial void WorkerRebuilding(ILogger logger, string clientId, ErrorCode code, int generation);

    [LoggerMessage(1009, LogLevel.Information, "Worker {ClientId} initialized transactions (generation {Generation})")]
    public static partial void TransactionsInitialized(ILogger logger, string clientId, int generation);

    [LoggerMessage(1010, LogLevel.Warning, "Worker {ClientId} aborted a transaction ({Code}) and rewound to the committed state")]
    public static partial void TransactionAborted(ILogger logger, string clientId, ErrorCode code);

    [LoggerMessage(1011, LogLevel.Information, "Restored task {SubTopology}/{Partition}: {Records} changelog records in {ElapsedMs:0} ms")]
    public static partial void TaskRestored(ILogger logger, string subTopology, int partition, long records, double elapsedMs);

    [LoggerMessage(1012, LogLevel.Information, "Restoring {Topic}[{Partition}]: {Records} of about {Total} records")]
    public static partial void RestoreProgress(ILogger logger, string topic, int partition, long records, long total);

    [LoggerMessage(1050, LogLevel.Warning, "Task {SubTopology}_{Partition}: RocksDB found store {Store}'s local files corrupt ({Reason}); the store was recreated empty and restores its changelog from the beginning")]
    public static partial void CorruptStoreRecreated(ILogger logger, string subTopology, int partition, string store, string reason);

    [LoggerMessage(1051, LogLevel.Error, "Worker {ClientId}: store {Store} is damaged on disk; the thread redoes what it had not committed and restores the store's task from its changelog ({Revivals} of at most {Limit} in this thread's life)")]
    public static partial void DamagedStoreRestoring(ILogger logger, Exception exception, string clientId, string store, int revivals, int limit);

    [LoggerMessage(1031, LogLevel.Error, "Changelog {Topic}[{Partition}] of store {Store} starts at offset {LogStartOffset}, not 0: the broker deleted its oldest records and state was lost (Streams:OnChangelogTruncated is {Policy})")]
    public static partial void ChangelogTruncated(ILogger logger, string store, string topic, int partition, long logStartOffset, ChangelogTruncationPolicy policy);

    [LoggerMessage(1060, LogLevel.Warning, "Changelog {Topic}[{Partition}] of store {Store}: restore passed over {Count} record(s) this runtime did not write, the first at offset {FirstOffset} (it {Problem}); their keys keep the values they had before them. Another program wrote to this changelog: nothing but c360 should")]
    public static partial void ForeignChangelogRecords(ILogger logger, string store, string topic, int partition, long count, long firstOffset, string problem);

    [LoggerMessage(1061, LogLevel.Warning, "Task {SubTopology}_{Partition}: its checkpoint file cannot be read ({Reason}), so what its local stores hold is unknown: they were wiped and restore their changelogs from the beginning")]
    public static partial void UnreadableCheckpoint(ILogger logger, string subTopology, int partition, string reason);

    [LoggerMessage(1032, LogLevel.Warning, "Task {SubTopology}_{Partition}: its checkpoint names changelog offsets beyond the changelogs' end (recreated, or another cluster); its local state is wiped and restored from the beginning")]
    public static partial void CheckpointBeyondChangelog(ILogger logger, string subTopology, int partition);

    [LoggerMessage(1014, LogLevel.Information, "Worker {ClientId} deferred an offset commit during a rebalance ({Code})")]
    public static partial void CommitDeferred(ILogger logger, string clientId, ErrorCode code);

    [LoggerMessage(1015, LogLevel.Warning, "Worker {ClientId} retries a transaction step after {Code} (attempt {Attempt})")]
    public static partial void TransactionRetry(ILogger logger, string clientId, ErrorCode code, int attempt);

    [LoggerMessage(1013, LogLevel.Warning, "Paused {Topic}[{Partition}] for {BackoffMs} ms; the record will be retried: {Reason}")]
    public static partial void PartitionPausedForRetry(ILogger logger, string topic, int partition, int backoffMs, string reason);

    /// <summary>A retry refused again: the first pause was a warning, and readiness reports the spell every 30 s.</summary>
    [LoggerMessage(1055, LogLevel.Debug, "Paused {Topic}[{Partition}] again for {BackoffMs} ms; the record will be retried: {Reason}")]
    public static partial void PartitionPausedAgainForRetry(ILogger logger, string topic, int partition, int backoffMs, string reason);

    [LoggerMessage(1056, LogLevel.Information, "Resumed {Topic}[{Partition}]: its record went through on retry {Retry}, {Seconds} s after it was first refused")]
    public static partial void PartitionResumedAfterRetry(ILogger logger, string topic, int partition, int retry, string seconds);

    [LoggerMessage(1057, LogLevel.Warning, "Task {SubTopology}/{Partition} left its punctuation {Punctuation} to its next time: {Reason}")]
    public static partial void PunctuationDeferred(ILogger logger, string subTopology, int partition, string punctuation, string reason);

    [LoggerMessage(1058, LogLevel.Debug, "Task {SubTopology}/{Partition} left its punctuation {Punctuation} to its next time again: {Reason}")]
    public static partial void PunctuationDeferredAgain(ILogger logger, string subTopology, int partition, string punctuation, string reason);

    [LoggerMessage(1059, LogLevel.Information, "Task {SubTopology}/{Partition} ran its punctuation {Punctuation} again (refused in a row before: {Deferrals})")]
    public static partial void PunctuationRanAgain(ILogger logger, string subTopology, int partition, string punctuation, int deferrals);

    [LoggerMessage(1030, LogLevel.Error, "Records on {Topic} sit on other partitions than murmur2 assigns their keys and are dead-lettered (MisPartitionedKey). Their producer partitions differently from the Java client: set partitioner=murmur2_random on librdkafka-based producers (kcat -X partitioner=murmur2_random, confluent-kafka for Python, Go and .NET). Counted in c360.records.mispartitioned; logged once per topic")]
    public static partial void MisPartitionedKeys(ILogger logger, string topic);

    [LoggerMessage(1040, LogLevel.Error, "Stream thread {Thread} died of a Kafka client error and was replaced ({Replacements} of at most {Limit} replacements)")]
    public static partial void ThreadReplaced(ILogger logger, string thread, int replacements, int limit);

    [LoggerMessage(1041, LogLevel.Critical, "Stream thread {Thread} failed for good (not a client error, or past Streams:MaxThreadReplacements={Limit}): the processor stops. {Reason}")]
    public static partial void ThreadFailedForGood(ILogger logger, Exception exception, string thread, int limit, string reason);

    [LoggerMessage(1042, LogLevel.Warning, "Worker {ClientId} holds processing and keeps polling: {Reason}")]
    public static partial void ProcessingHeld(ILogger logger, string clientId, string reason);

    [LoggerMessage(1043, LogLevel.Information, "Worker {ClientId} resumes processing")]
    public static partial void ProcessingResumed(ILogger logger, string clientId);

    [LoggerMessage(1044, LogLevel.Warning, "Worker {ClientId} stops without waiting longer for the group to let it leave (Streams:CloseTimeoutMs={TimeoutMs}); everything was committed, and its partitions move once its session times out")]
    public static partial void LeaveTimedOut(ILogger logger, string clientId, int timeoutMs);

    [LoggerMessage(1045, LogLevel.Warning, "Worker {ClientId} could not leave the group cleanly ({Error}); everything was committed, and its partitions move once its session times out")]
    public static partial void LeaveFailed(ILogger logger, string clientId, string error);

    [LoggerMessage(1046, LogLevel.Warning, "Worker {ClientId} stops purging its repartition topics: the broker refused DeleteRecords ({Code}: {Reason}). Processing is unaffected; the records stay until the topics' retention deletes them")]
    public static partial void RepartitionPurgeRefused(ILogger logger, string clientId, Confluent.Kafka.ErrorCode code, string reason);

    [LoggerMessage(1047, LogLevel.Warning, "Worker {ClientId} could not purge its repartition topics ({Code}: {Reason}); the next purge tries again")]
    public static partial void RepartitionPurgeFailed(ILogger logger, string clientId, Confluent.Kafka.ErrorCode code, string reason);
}
