using System.Net.Http;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// Confluent's client errors as ours. The kind decides what a partition does: no answer, 5xx and 429 are transient
/// (the partition pauses and retries); every other answer is permanent (the record is dead-lettered or the command
/// fails with the registry's message).
/// </summary>
public static class RegistryErrors
{
    /// <summary>The error as a <see cref="SchemaRegistryException"/>, or null when it is not a registry failure (a cancellation, a bug).</summary>
    public static SchemaRegistryException? Map(Exception error) => error switch
    {
        SchemaRegistryException ours => ours,
        ConfluentRegistryException answered => new SchemaRegistryException(
            (int)answered.Status, answered.ErrorCode, $"Schema Registry error {answered.ErrorCode}: {answered.Message}", answered),
        HttpRequestException { StatusCode: { } status } refused => new SchemaRegistryException(
            (int)status, (int)status, $"Schema Registry answered HTTP {(int)status} without a registry error: {refused.Message}", refused),
        HttpRequestException unreachable => new SchemaRegistryException(
            0, SchemaRegistryException.Codes.Unreachable, $"Schema Registry is unreachable: {unreachable.Message}", unreachable),
        TaskCanceledException or TimeoutException => new SchemaRegistryException(
            0, SchemaRegistryException.Codes.Unreachable, "Schema Registry did not answer in time (SchemaRegistry:RequestTimeoutMs).", error),
        AggregateException { InnerExceptions.Count: 1 } single => Map(single.InnerExceptions[0]),
        _ => null,
    };
}
