namespace Customer360.Streaming.Runtime.Processing;

/// <summary>The highest offset acknowledged on one partition, -1 before the first; raised by the delivery thread, read by the stream thread.</summary>
internal sealed class AcknowledgedOffset
{
    private long _offset = -1;

    public long Offset => Volatile.Read(ref _offset);

    /// <summary>
    /// Keeps the higher of the known offset and <paramref name="offset"/>. Reports are served by the producer's poll
    /// thread and, during a flush, by the stream thread, so two may race.
    /// </summary>
    public void Raise(long offset)
    {
        var known = Volatile.Read(ref _offset);
        while (offset > known)
        {
            var seen = Interlocked.CompareExchange(ref _offset, offset, known);
            if (seen == known)
            {
                return;
            }

            known = seen;
        }
    }
}
