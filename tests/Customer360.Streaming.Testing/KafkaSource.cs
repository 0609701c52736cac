namespace Customer360.Streaming.Testing;

/// <summary>Which Kafka a test run talks to; tests of guarantees the embedded broker cannot show check this.</summary>
public enum KafkaSource
{
    /// <summary><c>KAFKA_BOOTSTRAP_SERVERS</c> points at a cluster someone else runs.</summary>
    External,

    /// <summary>A real Apache Kafka broker in Docker, started by Testcontainers.Kafka.</summary>
    Testcontainers,

    /// <summary>librdkafka's mock cluster in this process: real protocol, but no EOS, read_committed or compaction.</summary>
    Embedded,
}
