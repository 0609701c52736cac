using System.ComponentModel.DataAnnotations;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Knobs of trigger hygiene, timers and rule reloading (configuration section <c>Triggers</c>).</summary>
public sealed class TriggerOptions
{
    public const string SectionName = "Triggers";

    /// <summary>At most this many triggers per customer per local day, across all rules.</summary>
    [Range(1, 100, ErrorMessage = "Triggers:DailyCap must be between 1 and 100.")]
    public int DailyCap { get; set; } = 3;

    /// <summary>A trigger this soon after another of equal or higher priority loses to it.</summary>
    [Range(0, 86_400, ErrorMessage = "Triggers:ArbitrationWindowSeconds must be between 0 and 86400.")]
    public int ArbitrationWindowSeconds { get; set; } = 120;

    /// <summary>Ignored sends in a row after which a rule backs off for a customer (0 turns fatigue off); rules may override.</summary>
    [Range(0, 100, ErrorMessage = "Triggers:FatigueAfterIgnored must be between 0 (off) and 100.")]
    public int FatigueAfterIgnored { get; set; } = 3;

    [Range(1, 8_760, ErrorMessage = "Triggers:FatigueBackOffHours must be between 1 and 8760.")]
    public int FatigueBackOffHours { get; set; } = 168;

    /// <summary>How often due absence, dwell and response-deadline timers are looked for.</summary>
    [Range(1, 3_600, ErrorMessage = "Triggers:TimerIntervalSeconds must be between 1 and 3600.")]
    public int TimerIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// Whether an idle task brings timers due by the wall clock (an absence fires although no event follows). Off,
    /// only stream time does: for draining old data, whose timers a wall clock hours ahead would fire all at once, and
    /// where the outcome must equal a replay of the same records.
    /// </summary>
    public bool WallClockTimers { get; set; } = true;

    /// <summary>How often the rule file is checked for changes (0: never reload).</summary>
    [Range(0, 3_600, ErrorMessage = "Triggers:ReloadIntervalSeconds must be between 0 (off) and 3600.")]
    public int ReloadIntervalSeconds { get; set; } = 5;

    public HygieneSettings ToHygieneSettings() => new()
    {
        DailyCap = DailyCap,
        ArbitrationWindow = TimeSpan.FromSeconds(ArbitrationWindowSeconds),
        FatigueAfterIgnored = FatigueAfterIgnored,
        FatigueBackOff = TimeSpan.FromHours(FatigueBackOffHours),
    };
}
