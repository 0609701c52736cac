using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Pipeline.Triggers;

namespace Customer360.Streaming.Pipeline;

/// <summary>What a reload check did.</summary>
public enum ReloadOutcome
{
    /// <summary>The file has the content already in force.</summary>
    Unchanged,

    /// <summary>A valid new rule set replaced the old one whole.</summary>
    Applied,

    /// <summary>The new file is invalid (or unreadable): the old set stays in force and the log says why.</summary>
    Rejected,
}

/// <summary>
/// Watches the rule file and the segment and offer catalogs beside it (<see cref="RuleSources"/>) by content (not
/// timestamps, which copies and editors do not keep reliably): a change to any of them that leaves all three valid
/// replaces the live rule set whole; an invalid one is rejected with every error logged, and the rules in force stay.
/// The same content is not reported twice.
/// </summary>
public sealed class RuleFileReloader
{
    private readonly string _path;
    private readonly LiveRuleSet _live;
    private readonly ProductTopicNames _topics;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private string _seen;

    public RuleFileReloader(string path, LiveRuleSet live, ProductTopicNames topics, PipelineMetrics metrics, ILogger logger)
    {
        _path = path;
        _live = live ?? throw new ArgumentNullException(nameof(live));
        _topics = topics;
        _metrics = metrics;
        _logger = logger;
        _seen = TryRead(out var sources, out _) ? sources!.Fingerprint() : Unreadable;
    }

    public string Path => _path;

    public ReloadOutcome CheckOnce()
    {
        if (!TryRead(out var sources, out var why))
        {
            // A missing file is a change too: reported once, and the rules in force stay.
            return See(Unreadable) ? Reject($"cannot read the file ({why})") : ReloadOutcome.Unchanged;
        }

        if (!See(sources!.Fingerprint()))
        {
            return ReloadOutcome.Unchanged;
        }

        try
        {
            var next = RuleCatalog.Parse(sources);
            ProductTopology.CheckRuleTopics(next, _topics);
            var previous = _live.Current;
            _live.Swap(next);
            _metrics.RuleReloads.Add(1, new KeyValuePair<string, object?>("result", "applied"));
            var versions = string.Join(", ", next.Rules.Select(r => $"{r.Id} v{r.Version}"));
            Log.RulesReloaded(_logger, _path, next.Rules.Count, previous.Rules.Count, versions);
            if (next.ChangedUnderSameVersion(previous) is { Count: > 0 } changed)
            {
                Log.RulesChangedUnderSameVersion(_logger, string.Join(", ", changed));
            }

            return ReloadOutcome.Applied;
        }
        catch (TopologyException ex)
        {
            return Reject(ex.Message);
        }
    }

    private const string Unreadable = "unreadable";

    /// <summary>Records the content seen; false when it is what was seen last (already applied or already rejected).</summary>
    private bool See(string fingerprint)
    {
        if (fingerprint == _seen)
        {
            return false;
        }

        _seen = fingerprint;
        return true;
    }

    private ReloadOutcome Reject(string reason)
    {
        _metrics.RuleReloads.Add(1, new KeyValuePair<string, object?>("result", "rejected"));
        Log.RulesRejected(_logger, _path, _live.Current.Rules.Count, reason);
        return ReloadOutcome.Rejected;
    }

    private bool TryRead(out RuleSources? sources, out string? why)
    {
        try
        {
            (sources, why) = (RuleSources.Read(_path), null);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TopologyException)
        {
            (sources, why) = (null, ex.GetType().Name);
            return false;
        }
    }
}
