namespace Customer360.Streaming.Contracts;

/// <summary>Reads a <c>timestamp-millis</c> field as Apache.Avro hands it out (a UTC <see cref="DateTime"/>, or the raw long).</summary>
public static class AvroTimestamps
{
    /// <summary>Milliseconds since the epoch, or null when the value is neither form.</summary>
    public static long? ToEpochMillis(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
        long millis => millis,
        _ => null,
    };
}
