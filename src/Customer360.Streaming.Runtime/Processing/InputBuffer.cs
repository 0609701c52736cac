using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Records fetched but not yet processed, per partition. A task takes them in timestamp order across its partitions
/// (Kafka Streams' choice of the head with the lowest timestamp), so a beacon sighting fetched before the GPS fix that
/// preceded it is still processed after it. While a partition of the task has nothing buffered but the broker holds
/// more of it, the task waits for that data rather than guess, up to the idle limit.
/// </summary>
internal sealed class InputBuffer(int pauseAbove)
{
    private readonly Dictionary<TopicPartition, Queue<ConsumeResult<byte[]?, byte[]?>>> _queues = [];

    public int Count { get; private set; }

    public void Add(ConsumeResult<byte[]?, byte[]?> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_queues.TryGetValue(record.TopicPartition, out var queue))
        {
            queue = new Queue<ConsumeResult<byte[]?, byte[]?>>();
            _queues[record.TopicPartition] = queue;
        }

        queue.Enqueue(record);
        Count++;
    }

    public int BufferedOf(TopicPartition partition) => _queues.TryGetValue(partition, out var queue) ? queue.Count : 0;

    /// <summary>Fetching more of this partition would only grow the buffer: pause it.</summary>
    public bool Full(TopicPartition partition) => BufferedOf(partition) >= pauseAbove;

    /// <summary>Anything buffered for these partitions.</summary>
    public bool Any(IReadOnlyList<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        for (var i = 0; i < partitions.Count; i++)
        {
            if (BufferedOf(partitions[i]) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The partition queue whose head a task over <paramref name="partitions"/> would take next: the lowest timestamp
    /// among the buffered heads (ties go to the first partition listed, so the choice is stable). None when nothing is
    /// buffered, or when a partition with nothing buffered may still have records on the broker and
    /// <paramref name="enforce"/> is false (the task has not waited long enough yet). Nothing is taken. Asked for
    /// every record, so it walks the list by index (an interface's enumerator would be allocated each time).
    /// </summary>
    /// <param name="mayHaveMore">Whether an empty partition may still get records; null: none is waited for.</param>
    public Queue<ConsumeResult<byte[]?, byte[]?>>? Head(IReadOnlyList<TopicPartition> partitions, Func<TopicPartition, bool>? mayHaveMore, bool enforce)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Queue<ConsumeResult<byte[]?, byte[]?>>? best = null;
        var waiting = false;
        for (var i = 0; i < partitions.Count; i++)
        {
            var partition = partitions[i];
            if (!_queues.TryGetValue(partition, out var queue) || queue.Count == 0)
            {
                waiting |= !enforce && mayHaveMore is not null && mayHaveMore(partition);
                continue;
            }

            if (best is null || queue.Peek().Message.Timestamp.UnixTimestampMs < best.Peek().Message.Timestamp.UnixTimestampMs)
            {
                best = queue;
            }
        }

        return waiting ? null : best;
    }

    public ConsumeResult<byte[]?, byte[]?> Take(Queue<ConsumeResult<byte[]?, byte[]?>> head)
    {
        ArgumentNullException.ThrowIfNull(head);
        Count--;
        return head.Dequeue();
    }

    /// <summary>Forgets a partition's records (revoked, lost, or rewound to be fetched again).</summary>
    public void Drop(TopicPartition partition)
    {
        if (_queues.Remove(partition, out var queue))
        {
            Count -= queue.Count;
        }
    }

    public void Clear()
    {
        _queues.Clear();
        Count = 0;
    }
}
