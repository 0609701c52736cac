using Customer360.Streaming.Host.Hosting;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Whether a demo run did what its summary shows, and if not, each thing that went wrong, named. The result line used
/// to list every possible cause at once ("did not catch up, dead-lettered events, or contexts are missing in Redis"),
/// which left the user to work out from the figures above which one it was.
/// </summary>
/// <param name="CaughtUp">Whether the processor had committed every event produced within <see cref="CatchUpWait"/> of the last.</param>
/// <param name="Committed">Events the processor's group had committed when the summary looked.</param>
/// <param name="Produced">Events the demo produced.</param>
/// <param name="DeadLetters">Records on the dead-letter topic.</param>
/// <param name="Contexts">Contexts in Redis, or null when Redis did not answer the count.</param>
/// <param name="Customers">Customers simulated.</param>
/// <param name="ProcessorExitCode">How the processor's host ended.</param>
/// <param name="DeletedUnread">Source offsets the broker deleted before the processor read them.</param>
internal sealed record DemoVerdict(bool CaughtUp, long Committed, long Produced, long DeadLetters, long? Contexts, int Customers, int ProcessorExitCode, long DeletedUnread = 0)
{
    /// <summary>How long after the last event the demo waits for its processor to commit everything.</summary>
    public static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(30);

    public bool Passed => Failures().Count == 0;

    public IReadOnlyList<string> Failures()
    {
        var failures = new List<string>();
        if (!CaughtUp)
        {
            failures.Add($"the processor had committed {Committed} of the {Produced} events {CatchUpWait.TotalSeconds:0} s after the last was produced");
        }

        if (DeletedUnread > 0)
        {
            failures.Add($"the embedded broker deleted {DeletedUnread} records before the processor read them (it keeps about 5 MiB per partition, and the processor fell further behind)");
        }

        if (DeadLetters > 0)
        {
            failures.Add($"{DeadLetters} records were dead-lettered (c360 dead-letters summary says why)");
        }

        if (Contexts is not { } contexts)
        {
            failures.Add("Redis did not answer when the contexts were counted");
        }
        else if (contexts < Customers)
        {
            failures.Add($"{contexts} of {Customers} customers have a context in Redis");
        }

        if (ProcessorExitCode != ExitCodes.Success)
        {
            failures.Add($"the processor exited with code {ProcessorExitCode}; its log above says why");
        }

        return failures;
    }

    /// <summary>The summary's last line.</summary>
    public string ResultLine() => Failures() is { Count: > 0 } failures
        ? "result: FAILED - " + string.Join("; ", failures)
        : "result: OK - every event was processed and committed, every customer has a context in Redis";
}
