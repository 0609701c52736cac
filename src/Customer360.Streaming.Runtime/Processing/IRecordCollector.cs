namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Where tasks send records: a Kafka producer in the worker, a list in the test driver.</summary>
public interface IRecordCollector
{
    void Send(OutgoingRecord record);
}
