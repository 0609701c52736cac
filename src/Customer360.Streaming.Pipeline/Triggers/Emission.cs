namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// An encoded output a customer's step produced, to be emitted through the task (which gives it its deterministic
/// output id). The key stays a string until the runtime writes it: nothing is encoded to be decoded again.
/// </summary>
internal sealed record Emission(string Topic, string Key, byte[] Value, long TimestampMs);
