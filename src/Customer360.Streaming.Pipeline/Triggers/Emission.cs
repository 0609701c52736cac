namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// An encoded output a customer's step produced, to be emitted through the task (which gives it its deterministic
/// output id). The key stays a string until the runtime writes it: nothing is encoded to be decoded again.
/// </summary>
/// <param name="Prompt">
/// A moment happening now (a trigger, a store event), which its consumers act on at once: emitting it asks for a
/// commit soon, which under exactly_once_v2 is when they first see it. A decision record or a segment change is not.
/// </param>
internal sealed record Emission(string Topic, string Key, byte[] Value, long TimestampMs, bool Prompt = false);
