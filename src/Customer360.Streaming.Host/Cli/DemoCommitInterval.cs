using Customer360.Streaming.Host.Hosting;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// The longest commit interval the demo runs with. The demo reads its progress from the offsets its processor commits:
/// it waits for them between its phases (up to 60 s each, every round of the history among them) and gives the last
/// commit 30 s, so a processor committing once a minute, which <c>c360 run</c> allows, made it crawl for minutes and
/// then report a failure.
/// </summary>
internal static class DemoCommitInterval
{
    public const int MaxMs = 10_000;

    /// <summary>
    /// False, with the reason written to <paramref name="errors"/>, when <c>Kafka:CommitIntervalMs</c> is longer than
    /// the demo allows. A value that is not a number passes here: the processor's start names it.
    /// </summary>
    public static bool Accepts(IConfiguration configuration, TextWriter errors)
    {
        if (StreamsBesideKafkaCheck.ConfiguredCommitIntervalMs(configuration) is not { } intervalMs || intervalMs <= MaxMs)
        {
            return true;
        }

        errors.WriteLine(
            $"Invalid configuration: Kafka:CommitIntervalMs {intervalMs} is longer than the demo runs with (at most {MaxMs}): the demo " +
            "follows its processor's commits and waits for them between its phases. c360 run takes up to 60000.");
        return false;
    }
}
