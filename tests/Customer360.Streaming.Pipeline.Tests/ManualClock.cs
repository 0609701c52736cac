namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>A wall clock that stands still at <paramref name="now"/>, so checks against it are deterministic.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
