namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A task's scheduled callback (<see cref="IProcessorContext.Schedule"/>) and when it is next due.</summary>
internal sealed class Punctuation(string name, long intervalMs, PunctuationType type, Action<long> callback)
{
    public string Name { get; } = name;

    public PunctuationType Type { get; } = type;

    public Action<long> Callback { get; } = callback;

    /// <summary>Next due time, on interval boundaries from the first time seen: deterministic for the same input.</summary>
    public long Next { get; private set; } = -1;

    public bool IsScheduled => Next >= 0;

    /// <summary>Runs in a row that a dependency refused (each left to the next time), 0 once one goes through.</summary>
    public int Deferrals { get; set; }

    public void AlignAfter(long timeMs) => Next = ((timeMs / intervalMs) + 1) * intervalMs;
}
