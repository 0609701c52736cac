using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// A customer's trigger state in its store: JSON as before (<see cref="TriggerStateJson"/>), but read through the store's
/// decoded values, so a state is parsed once while it stays unchanged and written once per commit, not per event.
/// </summary>
public sealed class TriggerStateSerde : StateSerde<TriggerState>
{
    public static readonly TriggerStateSerde Instance = new();

    public override byte[] Encode(TriggerState value) => TriggerStateJson.Encode(value);

    public override TriggerState Decode(ReadOnlySpan<byte> data) => TriggerStateJson.Decode(data);
}
