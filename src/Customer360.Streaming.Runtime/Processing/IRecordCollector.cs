namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Where tasks send records: a Kafka producer in the worker, a list in the test driver.</summary>
public interface IRecordCollector
{
    void Send(OutgoingRecord record);

    /// <summary>
    /// A task asked for a commit soon (<see cref="IProcessorContext.RequestCommit"/>), while processing something dated
    /// <paramref name="causeTimestampMs"/>. Only a collector that commits cares.
    /// </summary>
    void RequestCommit(long causeTimestampMs)
    {
    }
}
