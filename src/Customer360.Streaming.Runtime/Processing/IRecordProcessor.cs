using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Handles one consumed record on the worker's thread. Records of one partition arrive in offset order.</summary>
public interface IRecordProcessor
{
    void Process(ConsumeResult<byte[]?, byte[]?> record);
}

/// <summary>The empty topology: consumes and commits, produces nothing. Proves the wiring before any logic exists.</summary>
public sealed class PassThroughRecordProcessor : IRecordProcessor
{
    public void Process(ConsumeResult<byte[]?, byte[]?> record)
    {
    }
}
