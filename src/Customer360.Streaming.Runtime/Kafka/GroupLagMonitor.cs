using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>One partition in a lag report.</summary>
/// <param name="LagSeconds">
/// How long the oldest record the group has not committed has waited on the broker (0 when caught up; null when
/// unreadable): since it arrived, placed between the samples' high watermarks (<see cref="ArrivalTimeline"/>); for a
/// record that arrived before the first sample, since then or since the time it carries when earlier.
/// </param>
/// <param name="LogStart">The partition's first offset: below it the broker deleted the records (retention).</param>
public sealed record PartitionLagReport(TopicPartition Partition, long? Committed, long HighWatermark, long Lag, double? LagSeconds, LagStatus Status, long LogStart = 0)
{
    /// <summary>
    /// Records the broker deleted past the group's committed offset: the group will never read them (its consumer goes
    /// on from the log's start), though <see cref="Lag"/> counts them until it does.
    /// </summary>
    public long DeletedUnread => Committed is { } committed && LogStart > committed ? LogStart - committed : 0;
}

/// <summary>A group's lag at one moment, judged over the window of samples so far.</summary>
/// <param name="HasMembers">Whether the group has members; null when the cluster cannot say (the embedded broker).</param>
/// <param name="TopicsNotOnCluster">Topics asked about that the cluster does not have (a typo, or not created yet).</param>
public sealed record GroupLagReport(
    string GroupId, long AtMs, bool? HasMembers, LagStatus Status, IReadOnlyList<PartitionLagReport> Partitions, int Samples, IReadOnlyList<string> TopicsNotOnCluster)
{
    /// <summary>The group has committed on none of the partitions: a misspelt group id, or a group yet to commit.</summary>
    public bool NeverCommitted => Partitions.Count > 0 && Partitions.All(p => p.Committed is null);
}

/// <summary>
/// Samples a consumer group's committed offsets and the partitions' high watermarks without joining the group
/// (OffsetFetch, ListOffsets, and a Fetch at the committed offset for a record older than the first sample), keeps a
/// window of samples per partition and evaluates it the Burrow way. Works against any Kafka, the embedded broker included.
/// </summary>
public sealed class GroupLagMonitor : IDisposable
{
    private readonly string _groupId;
    private readonly IReadOnlyList<string> _topics;
    private readonly TimeProvider _time;
    private readonly int _window;
    private readonly TimeSpan _timeout;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IAdminClient _admin;
    private readonly Dictionary<TopicPartition, List<LagSample>> _samples = [];
    private readonly Dictionary<TopicPartition, ArrivalTimeline> _arrivals = [];
    private bool _membershipUnsupported;
    private int _taken;

    /// <param name="clientLog">Where its clients' own log lines go (<see cref="KafkaClientLog"/>); by default nowhere.</param>
    public GroupLagMonitor(
        KafkaOptions options, string groupId, IReadOnlyList<string> topics, TimeProvider time, int window = 10, TimeSpan? timeout = null, Action<IClient, LogMessage>? clientLog = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _groupId = groupId;
        _topics = topics;
        _time = time;
        _window = window;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
        // The monitored group's id makes OffsetFetch return its offsets; assigning (never subscribing) does not join it.
        clientLog ??= KafkaClientLog.Discard;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(options, groupId, $"{groupId}-lag-monitor")).SetLogHandler(clientLog).Build();
        _admin = new AdminClientBuilder(KafkaClientConfigs.Admin(options, $"{groupId}-lag-monitor-admin")).SetLogHandler(clientLog).Build();
    }

    public async Task<GroupLagReport> SampleAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var positions = ConsumerGroupLag.Read(_consumer, _admin, _topics, _timeout);
        var hasMembers = await HasMembersAsync();
        _taken++;
        var reports = new List<PartitionLagReport>(positions.Count);
        foreach (var position in positions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sample = new LagSample(now, position.Committed, position.HighWatermark);
            if (!_samples.TryGetValue(position.Partition, out var window))
            {
                window = [];
                _samples[position.Partition] = window;
            }

            window.Add(sample);
            if (window.Count > _window)
            {
                window.RemoveAt(0);
            }

            // The oldest record the group will read: at its committed offset, or at the log's start once that is past it.
            var oldestUnread = Math.Max(position.Committed ?? 0, position.LowWatermark);
            if (!_arrivals.TryGetValue(position.Partition, out var arrivals))
            {
                arrivals = new ArrivalTimeline();
                _arrivals[position.Partition] = arrivals;
            }

            arrivals.Observe(position.HighWatermark, now);
            var lagSeconds = sample.Lag == 0 ? 0 : WaitedSeconds(position.Partition, arrivals, oldestUnread, now);
            reports.Add(new PartitionLagReport(
                position.Partition, position.Committed, position.HighWatermark, sample.Lag, lagSeconds, LagEvaluator.Partition(window, now, hasMembers), position.LowWatermark));
        }

        var missing = _topics.Distinct(StringComparer.Ordinal).Where(t => !positions.Any(p => p.Partition.Topic == t)).ToList();
        return new GroupLagReport(_groupId, now, hasMembers, LagEvaluator.Group(reports.Select(r => r.Status)), reports, Math.Min(_taken, _window), missing);
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
        _admin.Dispose();
    }

    /// <summary>Whether the group has members; null when the cluster does not answer DescribeGroups (then not asked again).</summary>
    private async Task<bool?> HasMembersAsync()
    {
        if (_membershipUnsupported)
        {
            return null;
        }

        try
        {
            var described = await _admin.DescribeConsumerGroupsAsync([_groupId], new DescribeConsumerGroupsOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
            return described.ConsumerGroupDescriptions.FirstOrDefault()?.Members.Count > 0;
        }
        catch (KafkaException)
        {
            _membershipUnsupported = true;
            return null;
        }
    }

    /// <summary>How long the record at <paramref name="offset"/>, the oldest the group has not committed, has waited; null when unreadable.</summary>
    private double? WaitedSeconds(TopicPartition partition, ArrivalTimeline arrivals, long offset, long nowMs)
    {
        // A record sighted arriving needs no fetch; one older than the first sample is read for the time it carries.
        long? stamped = null;
        if (arrivals.ArrivedUnsighted(offset))
        {
            stamped = RecordTimestampMs(partition, offset);
            if (stamped is null)
            {
                return null;
            }
        }

        return arrivals.ArrivedByMs(offset, stamped) is { } arrived ? Math.Max(0, nowMs - arrived) / 1000.0 : null;
    }

    private long? RecordTimestampMs(TopicPartition partition, long offset)
    {
        _consumer.Assign(new TopicPartitionOffset(partition, offset));
        try
        {
            return _consumer.Consume(_timeout)?.Message?.Timestamp.UnixTimestampMs;
        }
        finally
        {
            _consumer.Unassign();
        }
    }
}
