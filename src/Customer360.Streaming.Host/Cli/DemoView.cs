using System.Globalization;
using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// The demo's live view of a <see cref="DemoSnapshot"/>: Spectre.Console panels redrawn in place in a terminal, or one
/// plain line per interval when the output is a pipe or a log, so CI stays readable.
/// </summary>
internal static class DemoView
{
    // A plain line carries one explanation; a table row wraps, so it can carry a whole rule's worth.
    private const int LineExplanationWidth = 90;
    private const int TableExplanationWidth = 240;

    // The processor panel sits beside two others: a longer reason would squeeze them.
    private const int TableReadinessWidth = 60;

    /// <summary>Shown for a Redis reading while Redis does not answer, or has not answered a first count yet.</summary>
    public const string RedisUnknown = "unknown (Redis did not answer in time)";

    /// <summary>True when the live view can redraw in place: a terminal that Spectre.Console can drive, not a pipe.</summary>
    public static bool CanRedraw => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    public static string Line(DemoSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(inv, $"t={snapshot.Elapsed.TotalSeconds:0}s events/s ");
        text.AppendJoin(", ", snapshot.Channels.Where(c => c.Total > 0).Select(c => string.Create(inv, $"{c.Channel} {c.PerSecond:0}")));
        var phase = PhaseWhileNotRunning(snapshot);
        text.Append(inv, $" | lag {(phase is null ? "" : "at least ")}{snapshot.Lag} ({snapshot.LagSeconds:0.0} s{(phase is null ? "" : $"; processor {phase}")})");
        // While the processor is not running its phase says why it is not ready; while it runs, readiness says it.
        if (phase is null && snapshot.NotReady is { } notReady)
        {
            text.Append(inv, $" | not ready: {notReady}");
        }

        text.Append(inv, $" | contexts in Redis {snapshot.ContextsInRedis?.ToString(inv) ?? RedisUnknown} | in store ");
        if (snapshot.PresentByStore is { } present)
        {
            text.AppendJoin(", ", present.Select(s => string.Create(inv, $"{s.Key} {s.Value}")));
        }
        else
        {
            text.Append(RedisUnknown);
        }

        text.Append(inv, $" | triggers {snapshot.Fired} fired, {snapshot.Suppressed} held back");
        if (snapshot.LatestDecisions.FirstOrDefault(d => d.Fired) is { } latest)
        {
            text.Append(inv, $" | latest: {latest.RuleId} for {latest.CustomerId}: {Shorten(latest.Explanation, LineExplanationWidth)}");
        }

        return text.ToString();
    }

    /// <summary>
    /// The processor's phase ("restoring") while it is not running, else null: then a thread's partitions may be
    /// nobody's, and the lag shown is only a lower bound.
    /// </summary>
    private static string? PhaseWhileNotRunning(DemoSnapshot snapshot) =>
        snapshot.ProcessorPhase == WorkerPhase.Running ? null : snapshot.ProcessorPhase.ToString().ToLowerInvariant();

    public static IRenderable Render(DemoSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var inv = CultureInfo.InvariantCulture;
        var channels = new Table().Border(TableBorder.Rounded).Title("[bold]events consumed[/]")
            .AddColumn("channel").AddColumn(new TableColumn("per s").RightAligned()).AddColumn(new TableColumn("total").RightAligned());
        foreach (var channel in snapshot.Channels)
        {
            channels.AddRow(channel.Channel, channel.PerSecond.ToString("0", inv), channel.Total.ToString("N0", inv));
        }

        var stores = new Table().Border(TableBorder.Rounded).Title("[bold]customers in store[/]").AddColumn("store").AddColumn(new TableColumn("present").RightAligned());
        foreach (var (store, present) in snapshot.PresentByStore ?? [])
        {
            stores.AddRow(Markup.Escape(store), present.ToString(inv));
        }

        var health = new Table().Border(TableBorder.Rounded).Title("[bold]processor[/]").AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        var lag = snapshot.Lag.ToString("N0", inv);
        health.AddRow("consumer lag", PhaseWhileNotRunning(snapshot) is { } phase ? $"at least {lag} (processor {phase})" : lag);
        health.AddRow("lag in seconds", snapshot.LagSeconds.ToString("0.0", inv));
        health.AddRow("readiness", snapshot.NotReady is { } notReady ? $"[yellow]{Markup.Escape(Shorten(notReady, TableReadinessWidth))}[/]" : "ready");
        health.AddRow("contexts in Redis", snapshot.ContextsInRedis?.ToString("N0", inv) ?? "[yellow]Redis did not answer in time[/]");
        health.AddRow("triggers fired", snapshot.Fired.ToString("N0", inv));
        health.AddRow("held back by hygiene", snapshot.Suppressed.ToString("N0", inv));

        var decisions = new Table().Border(TableBorder.Rounded).Expand().Title("[bold]latest decisions[/]")
            .AddColumn("rule").AddColumn("customer").AddColumn("outcome").AddColumn("why");
        foreach (var decision in snapshot.LatestDecisions)
        {
            decisions.AddRow(
                Markup.Escape(decision.RuleId), Markup.Escape(decision.CustomerId),
                decision.Fired ? "[green]fired[/]" : $"[yellow]{Markup.Escape(decision.Reason.ToLowerInvariant())}[/]",
                Markup.Escape(Shorten(decision.Explanation, TableExplanationWidth)));
        }

        var header = new Markup(string.Create(inv, $"[bold]Customer360.Streaming demo[/]  t={snapshot.Elapsed.TotalSeconds:0}s  ")
            + Markup.Escape(snapshot.Status ?? string.Empty));
        return new Rows(header, new Columns(channels, health, stores) { Expand = false }, decisions);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
