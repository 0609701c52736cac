using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>A thread's context store holding <c>count</c> customers' contexts, all at one version.</summary>
internal sealed class ManyContexts(int count, long version) : IOwnedStores
{
    public static string Id(int i) => $"cust-{i:D5}";

    /// <summary>How many of the first <paramref name="count"/> customers' contexts Redis holds at <paramref name="version"/>.</summary>
    public static async Task<int> CountAtVersionAsync(RedisContextWriter reader, int count, long version)
    {
        var versions = await reader.ReadVersionsAsync([.. Enumerable.Range(0, count).Select(Id)]);
        return versions.Count(v => v == version);
    }

    /// <summary>The context store's entries as a restore hands them over: encoded.</summary>
    public IEnumerable<KeyValuePair<string, byte[]>> Entries(string store) =>
        Entries(store, ContextStateSerde.Instance).Select(e => KeyValuePair.Create(e.Key, ContextStateSerde.Instance.Encode(e.Value)));

    public IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, StateSerde<T> serde)
        where T : class =>
        store == ProductTopics.ContextsStore
            ? Enumerable.Range(0, count).Select(i => KeyValuePair.Create(Id(i), (T)(object)(CustomerContext.Empty(Id(i)) with { Version = version })))
            : [];

    public T? Current<T>(string store, int partition, string key, StateSerde<T> serde)
        where T : class => (T)(object)(CustomerContext.Empty(key) with { Version = version });
}
