using Customer360.Streaming.Contracts;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>Dead letters as the tools read them from the topic's headers, and the shipped topics they are judged against.</summary>
internal static class TestDeadLetters
{
    /// <summary>Where a replay sends dead letters of the shipped topics.yaml.</summary>
    public static readonly DeadLetterReplayTargets ShippedTargets = new(TopicCatalog.Load(RepositoryLayout.TopicsFile));

    /// <summary>The processor's default grace period, judged at a fixed moment.</summary>
    public static readonly ReplayGrace Grace = new(TimeSpan.FromSeconds(600), NowMs: 1_790_000_000_000);

    private static long _lastOffset;

    /// <summary>
    /// A whole dead letter of a record that entered by <paramref name="originTopic"/> (via a repartition topic when
    /// <paramref name="via"/> names one), at <paramref name="originOffset"/> of its partition 0; left out, a record of
    /// its own, as no two dead letters of different records share an origin.
    /// </summary>
    public static DeadLetterEnvelope Letter(
        string originTopic, string errorClass = "InvalidValue", string stage = "validate", long timestampMs = 1_000, string? via = null, long? originOffset = null) =>
        new(new RecordOrigin(originTopic, 0, originOffset ?? Interlocked.Increment(ref _lastOffset)), timestampMs, via, stage, errorClass, Truncated: false, []);
}
