using System.Diagnostics.Metrics;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What a stream thread's loop does in turn; each is a <c>phase</c> of <c>c360.stream_thread.time</c>.</summary>
internal enum LoopPhase
{
    /// <summary>Waiting for records and taking them from the consumer (rebalance callbacks run here too).</summary>
    Poll,
    Restore,
    Process,
    Punctuate,
    Commit,

    /// <summary>Polling and recovering, not processing, while an outside store is unavailable (<see cref="ProcessingHold"/>).</summary>
    Held,
}

/// <summary>
/// Splits a stream thread's wall-clock time into its loop's phases: each <see cref="Lap"/> adds the time since the
/// previous one to the phase that just ended, so every moment of the loop is counted once. Whether a slow thread is
/// busy (process) or waiting (poll, commit) shows in the rates. One clock read and one counter add per phase and loop,
/// never per record.
/// </summary>
internal sealed class StreamLoopClock(Counter<double> threadTime, TimeProvider time, string thread)
{
    private static readonly string[] PhaseNames = [.. Enum.GetValues<LoopPhase>().Select(p => p.ToString().ToLowerInvariant())];

    private readonly KeyValuePair<string, object?> _thread = new("thread", thread);
    private long _lapStarted = time.GetTimestamp();

    /// <summary>Starts counting from now (the loop begins).</summary>
    public void Start() => _lapStarted = time.GetTimestamp();

    /// <summary>The loop finished <paramref name="phase"/>: the time since the last lap was spent in it.</summary>
    public void Lap(LoopPhase phase)
    {
        var now = time.GetTimestamp();
        threadTime.Add(time.GetElapsedTime(_lapStarted, now).TotalSeconds, _thread, new KeyValuePair<string, object?>("phase", PhaseNames[(int)phase]));
        _lapStarted = now;
    }
}
