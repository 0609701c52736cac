using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// What the identity and context processors are built from besides the runtime: their settings (context, identity,
/// stores, topics, timers, hygiene) and the two services they share, the event codec and the live rule set.
/// </summary>
public sealed record ContextPipelineSetup(
    ContextSettings Context,
    IdentitySettings Identity,
    StoreDirectory Stores,
    EventCodec Codec,
    ProductTopicNames Topics)
{
    /// <summary>How often (in stream time) expired anonymous contexts are swept out.</summary>
    public TimeSpan AnonymousSweepInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The moment-of-truth rules (swappable by a reload); null runs the context without triggers.</summary>
    public LiveRuleSet? Rules { get; init; }

    /// <summary>
    /// How often due absence, dwell and response-deadline timers are looked for: in stream time, and in wall-clock time
    /// while the task is idle (then "now" is the wall clock minus the grace period, so events still in flight count).
    /// </summary>
    public TimeSpan TimerInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether idle tasks fire timers by the wall clock. Off only for replays of old data that must not be judged
    /// against today's clock (stream time alone then brings timers due).
    /// </summary>
    public bool WallClockTimers { get; init; } = true;

    public HygieneSettings Hygiene { get; init; } = new();

    /// <summary>How offers are chosen (policy, exploration bound, the partitions capacity is split across).</summary>
    public DecisioningSettings Decisioning { get; init; } = new();
}
