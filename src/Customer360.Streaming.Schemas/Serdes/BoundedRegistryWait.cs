using System.Collections.Concurrent;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// How a synchronous caller (a stream thread) waits for a registry lookup: at most <c>Avro:RegistryWaitMs</c>. A lookup
/// that takes longer goes on in the background and the caller gets a transient <see cref="SerdeException"/>, so its
/// partition pauses and retries while polling (and group membership) goes on; the retry finds the same lookup, not a
/// second one.
/// </summary>
internal static class BoundedRegistryWait
{
    public static TResult Await<TKey, TResult>(
        ConcurrentDictionary<TKey, Task<TResult>> inFlight, TKey key, Func<TKey, Task<TResult>> lookup, TimeSpan bound, string what, int? schemaId = null)
        where TKey : notnull
    {
        var task = inFlight.GetOrAdd(key, lookup);
        bool finished;
        try
        {
            finished = task.Wait(bound);
        }
        catch (AggregateException)
        {
            finished = true;
        }

        if (!finished)
        {
            throw new SerdeException(
                SerdeErrorKind.RegistryUnavailable,
                $"Schema Registry did not answer for {what} within {bound.TotalMilliseconds:0} ms (Avro:RegistryWaitMs); the lookup goes on and the record is retried.")
            {
                SchemaId = schemaId,
            };
        }

        // Done either way: a failed lookup is asked again by the next record, an answered one is cached by the caller.
        inFlight.TryRemove(KeyValuePair.Create(key, task));
        return task.GetAwaiter().GetResult();
    }
}
