namespace Customer360.Streaming.Runtime.Topology;

/// <summary>The declared topology is invalid, or the cluster does not match it. Never retriable.</summary>
public sealed class TopologyException : Exception
{
    public TopologyException(string message)
        : base(message)
    {
    }

    public TopologyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TopologyException()
    {
    }
}
