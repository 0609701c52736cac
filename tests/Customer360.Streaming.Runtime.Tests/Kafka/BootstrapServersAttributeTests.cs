using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

public sealed class BootstrapServersAttributeTests
{
    [Theory]
    [InlineData("localhost:9092")]
    [InlineData("127.0.0.1:41234,127.0.0.1:41235")]
    [InlineData("broker-1.kafka.svc:9093, broker-2.kafka.svc:9093")]
    [InlineData("SASL_SSL://pkc-123.eu-west-1.aws.confluent.cloud:9092")]
    public void Check_WellFormedList_ReturnsNull(string servers) => Assert.Null(BootstrapServersAttribute.Check(servers));

    [Theory]
    [InlineData("localhost", "'localhost' is not host:port")]
    [InlineData("localhost:", "'localhost:' is not host:port")]
    [InlineData("localhost:notaport", "'localhost:notaport' has no port between 1 and 65535")]
    [InlineData("localhost:70000", "'localhost:70000' has no port between 1 and 65535")]
    [InlineData("a:1,,b:2", "an entry is empty")]
    public void Check_Malformed_SaysWhichEntryAndWhy(string servers, string expected) =>
        Assert.Contains(expected, BootstrapServersAttribute.Check(servers), StringComparison.Ordinal);
}
