using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Pipeline;

/// <summary>Everything the identity and context processors need besides the runtime: rules, stores, codec, topics.</summary>
public sealed record ContextPipelineSettings(
    ContextSettings Context,
    IdentitySettings Identity,
    StoreDirectory Stores,
    EventCodec Codec,
    ProductTopicNames Topics)
{
    /// <summary>How often (in stream time) expired anonymous contexts are swept out.</summary>
    public TimeSpan AnonymousSweepInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The moment-of-truth rules; null runs the context without triggers.</summary>
    public RuleSet? Rules { get; init; }

    public HygieneSettings Hygiene { get; init; } = new();
}
