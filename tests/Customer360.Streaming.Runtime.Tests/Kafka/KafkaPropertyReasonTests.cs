using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

/// <summary>
/// When librdkafka refuses a value, the startup error says why in librdkafka's words with the value masked (it may be
/// a secret), instead of withholding the reason whenever the words repeat the value somewhere.
/// </summary>
public sealed class KafkaPropertyReasonTests
{
    [Fact]
    public void A_number_out_of_range_is_refused_with_the_range_librdkafka_allows_and_without_the_number()
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { ["socket.timeout.ms"] = "5" }));

        Assert.Contains("librdkafka:", problem, StringComparison.Ordinal);
        Assert.EndsWith("10..300000).", problem, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?<![\w.])5(?![\w.])", problem);
    }

    [Fact]
    public void A_value_librdkafka_quotes_is_masked_and_its_reason_still_shown()
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { ["security.protocol"] = "hunter2-not-a-protocol" }));

        Assert.Contains("librdkafka:", problem, StringComparison.Ordinal);
        Assert.Contains("security.protocol", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }
}
