namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A store seen through a <see cref="StateSerde{T}"/>: processors get and put objects, the store decodes a value at
/// most once while it stays unchanged and encodes a changed one once per commit.
/// </summary>
public sealed class TypedKeyValueStore<T>(IKeyValueStore store, StateSerde<T> serde)
    where T : class
{
    /// <summary>The byte-level store: for <c>IsReplay</c> and for readers of encoded values.</summary>
    public IKeyValueStore Bytes => store;

    public T? Get(string key) => store.GetDecoded(key, serde);

    /// <summary>Stores a value (encoded at the next commit) and marks the current input's origin as applied to this key.</summary>
    public void Put(string key, T value) => store.PutDecoded(key, value, serde);

    public void Delete(string key) => store.Delete(key);

    public IEnumerable<KeyValuePair<string, T>> All() => store.AllDecoded(serde);
}
