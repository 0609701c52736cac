using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>Takes what a task sends and keeps nothing: for tests about a task's stores, not its outputs.</summary>
internal sealed class DiscardingCollector : IRecordCollector
{
    public void Send(OutgoingRecord record)
    {
    }
}
