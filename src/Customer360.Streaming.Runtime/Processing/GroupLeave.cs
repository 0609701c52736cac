using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// A stopping stream thread's last step: closing its consumer, which leaves the group, waiting at most
/// <c>Streams:CloseTimeoutMs</c> (Kafka Streams' close timeout). The thread has committed and closed every task
/// before, and its rebalance callbacks do nothing once <see cref="Started"/>, so the close may outlive the thread: a
/// coordinator that holds the LeaveGroup behind a pending join (the embedded broker held one past 30 s) then only
/// delays the partitions' move to the session timeout, as after a crash.
/// </summary>
internal sealed class GroupLeave(IConsumer<byte[]?, byte[]?> consumer, StreamThreadContext context)
{
    private volatile bool _started;

    /// <summary>The close has begun: rebalance callbacks, which it runs on its own thread, must leave everything alone.</summary>
    public bool Started => _started;

    /// <summary>The close outlived the bound and still runs: the consumer must not be disposed under it.</summary>
    public bool StillClosing { get; private set; }

    public void Leave()
    {
        _started = true;
        var closing = Task.Factory.StartNew(consumer.Close, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (closing.Wait(TimeSpan.FromMilliseconds(context.Streams.CloseTimeoutMs)))
            {
                return;
            }
        }
        catch (AggregateException ex) when (ex.InnerException is KafkaException kafka)
        {
            Log.LeaveFailed(context.Logger, context.ClientId, kafka.Error.Code.ToString());
            return;
        }

        StillClosing = true;
        Log.LeaveTimedOut(context.Logger, context.ClientId, context.Streams.CloseTimeoutMs);
    }
}
