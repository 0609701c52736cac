using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A partition whose record must wait for a dependency: rewound, paused for a backoff, resumed when due.</summary>
internal sealed partial class PartitionGroup
{
    /// <summary>
    /// A dependency is down: rewind to the record and pause its partition. Returns the backoff in milliseconds and how
    /// often the record has now been refused.
    /// </summary>
    public (int BackoffMs, int Refusals) PauseForRetry(TopicPartitionOffset at, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(at);
        var slot = _buffer.Slot(at.TopicPartition);
        var previous = slot.Retry;
        var refusals = (previous?.Refusals ?? 0) + 1;
        var backoff = streams.TransientRetryBackoffAfter(refusals);
        consumer.Pause(slot.Partition);
        consumer.Seek(at);
        if (previous is null)
        {
            _retryingCount++;
        }

        slot.Retry = (nowMs + backoff, false, previous?.FirstRefusedMs ?? nowMs, refusals);
        // Rewound: what was buffered after the record is fetched again after the pause (which a full buffer's resume must not end).
        Drop(slot);
        slot.NextFetchOffset = at.Offset.Value;
        return (backoff, refusals);
    }

    /// <summary>
    /// A retry went through, so the dependency it waited on is likely back: every other partition waiting out a backoff
    /// (up to <c>Streams:TransientRetryBackoffMaxMs</c>) is tried at the next <see cref="ResumeDue"/>. One still refused
    /// pauses again with its backoff doubled, so this costs each waiting partition one attempt per retry that ends.
    /// </summary>
    private void MakeRetriesDue()
    {
        foreach (var waiting in _retryingCount == 0 ? [] : _buffer.Slots)
        {
            if (waiting.Retry is { Resumed: false } retry)
            {
                waiting.Retry = retry with { ResumeAt = long.MinValue };
            }
        }
    }

    /// <summary>Resumes the partitions whose retry is due; each keeps its backoff (doubled if it fails again) until a record succeeds.</summary>
    public IReadOnlyList<TopicPartition> ResumeDue(long nowMs)
    {
        if (_retryingCount == 0)
        {
            return [];
        }

        var due = _buffer.Slots.Where(s => s.Retry is { Resumed: false } retry && retry.ResumeAt <= nowMs).ToList();
        foreach (var slot in due)
        {
            consumer.Resume(slot.Partition);
            slot.Retry = slot.Retry!.Value with { Resumed = true };
        }

        return [.. due.Select(s => s.Partition)];
    }
}
