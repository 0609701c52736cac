namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A task's key-value state. Every entry remembers, per origin partition, the last input offset applied to it, so
/// replayed input after a crash is recognised (<see cref="HasApplied"/>) and not applied twice.
/// </summary>
public interface IKeyValueStore
{
    string Name { get; }

    int Count { get; }

    byte[]? Get(string key);

    /// <summary>Stores a value and marks the current input's origin as applied to this key.</summary>
    void Put(string key, byte[] value);

    /// <summary>Removes the key (a tombstone in the changelog).</summary>
    void Delete(string key);

    /// <summary>True when the current input (by origin) was already applied to this key, i.e. it is a replay.</summary>
    bool HasApplied(string key);

    IEnumerable<KeyValuePair<string, byte[]>> All();

    /// <summary>The value as an object: the one last put, or decoded from the stored bytes once and kept.</summary>
    T? GetDecoded<T>(string key, StateSerde<T> serde)
        where T : class;

    /// <summary>Like <see cref="Put"/>, but the value is encoded only when its bytes are needed (at the next commit).</summary>
    void PutDecoded<T>(string key, T value, StateSerde<T> serde)
        where T : class;

    /// <summary>Every entry as an object, in key order, without the runtime's reserved keys.</summary>
    IEnumerable<KeyValuePair<string, T>> AllDecoded<T>(StateSerde<T> serde)
        where T : class;

    /// <summary>A typed view of this store.</summary>
    TypedKeyValueStore<T> Typed<T>(StateSerde<T> serde)
        where T : class => new(this, serde);
}

/// <summary>Reads changelog records written by the runtime, for tools and tests that inspect state from Kafka.</summary>
public static class ChangelogRecords
{
    /// <summary>The stored value inside a changelog record's value (null for a tombstone).</summary>
    public static byte[]? ValueOf(byte[]? changelogValue) => changelogValue is null ? null : StoreEntry.Decode(changelogValue).Value;

    /// <summary>
    /// Why a changelog record cannot be one this runtime wrote, or null: every record it writes has a key, and a value
    /// that is a store entry or null (a deletion). Restore and the tools that read changelogs pass such records over.
    /// </summary>
    public static string? Foreign(byte[]? key, byte[]? value) =>
        key is null ? "has no key" : value is null ? null : StoreEntry.Malformed(value);

    /// <summary>A changelog record's value holding <paramref name="value"/> with no applied offsets, as tools and tests write one.</summary>
    public static byte[] ValueFor(byte[] value) => new StoreEntry(value, []).Encode();

    /// <summary>Whether a changelog key is the runtime's own bookkeeping rather than a processor's key.</summary>
    public static bool IsRuntimeKey(string key) => key.Length > 0 && key[0] == '\0';
}
