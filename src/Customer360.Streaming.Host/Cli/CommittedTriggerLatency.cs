using System.Collections.Concurrent;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Event-to-trigger latency under exactly_once_v2, where a trigger reaches marketing automation (a read_committed
/// consumer) only with the commit of the transaction that holds it. The embedded broker shows a transaction's records
/// before it commits, so a consumer's receipt there says nothing about that; instead the processor's own measure of
/// each output's wait for its commit (<c>c360.output.latency</c> on the triggers topic) is matched with the triggers the
/// demo's consumer saw fire on an event, by the event time both carry. Triggers of timer rules are left out, as they
/// are under at_least_once. Thread-safe: the meter listener and the trigger consumer add.
/// </summary>
internal sealed class CommittedTriggerLatency
{
    /// <summary>
    /// How far the listener's clock may have moved between the processor's commit and the measurement reaching it, in
    /// milliseconds: each commit's event time is recovered from the latency and that clock, so it may read this late.
    /// </summary>
    private const int ListenerSkewMs = 2;

    /// <summary>Each trigger output's commit latency, with its event time as the listener's clock recovers it.</summary>
    private readonly ConcurrentQueue<(long RecoveredEventMs, double LatencyMs)> _committed = new();
    private readonly ConcurrentQueue<long> _firedOnEvents = new();

    /// <summary>A trigger output's commit, reported <paramref name="latencyMs"/> after its event time, heard at <paramref name="heardAtMs"/>.</summary>
    public void Committed(long heardAtMs, double latencyMs) => _committed.Enqueue((heardAtMs - (long)latencyMs, latencyMs));

    /// <summary>The consumer saw a trigger fire on the event of <paramref name="eventMs"/>.</summary>
    public void FiredOnEvent(long eventMs) => _firedOnEvents.Enqueue(eventMs);

    /// <summary>The commit latencies of the triggers that fired on events from <paramref name="fromMs"/> on, each trigger counted once.</summary>
    public LiveSamples From(long fromMs)
    {
        var unmatched = _firedOnEvents.Where(t => t >= fromMs).CountBy(t => t).ToDictionary(p => p.Key, p => p.Value);
        var matched = new LiveSamples();
        foreach (var (recoveredMs, latencyMs) in _committed)
        {
            for (var eventMs = recoveredMs; eventMs >= recoveredMs - ListenerSkewMs; eventMs--)
            {
                if (eventMs >= fromMs && unmatched.GetValueOrDefault(eventMs) > 0)
                {
                    unmatched[eventMs]--;
                    matched.Add(eventMs, latencyMs);
                    break;
                }
            }
        }

        return matched;
    }
}
