namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A store's files went bad on disk (RocksDB found a torn or altered block while reading). Not the record's fault, so
/// it is never dead-lettered: the stream thread redoes what it has not committed, and the store's task is wiped and
/// restored from its changelog (Kafka Streams' TaskCorruptedException).
/// </summary>
public sealed class StoreCorruptedException : Exception
{
    public StoreCorruptedException(string store, string message, Exception innerException)
        : base(message, innerException) => Store = store;

    public StoreCorruptedException()
    {
    }

    public StoreCorruptedException(string message)
        : base(message)
    {
    }

    public StoreCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The damaged store's name.</summary>
    public string Store { get; } = "";
}
