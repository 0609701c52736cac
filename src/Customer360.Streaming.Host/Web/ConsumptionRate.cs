namespace Customer360.Streaming.Host.Web;

/// <summary>
/// Events per second from a growing total, over at least a second: several open pages asking at once share one
/// measurement instead of each dividing a few records by a few milliseconds.
/// </summary>
internal sealed class ConsumptionRate(Func<long> total, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private long _sampledAt = time.GetTimestamp();
    private long _sampledTotal = total();
    private double _perSecond;

    public double PerSecond()
    {
        lock (_gate)
        {
            var elapsed = time.GetElapsedTime(_sampledAt);
            if (elapsed >= Window)
            {
                var now = total();
                _perSecond = Math.Max(0, now - _sampledTotal) / elapsed.TotalSeconds;
                _sampledTotal = now;
                _sampledAt = time.GetTimestamp();
            }

            return _perSecond;
        }
    }
}
