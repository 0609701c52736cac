using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// A customer's trigger state in its store, in the compact <see cref="TriggerStateEncoding"/> (JSON written by earlier
/// versions still reads), read through the store's decoded values, so a state is decoded once while it stays
/// unchanged and encoded once per commit, not per event.
/// </summary>
public sealed class TriggerStateSerde : StateSerde<TriggerState>
{
    public static readonly TriggerStateSerde Instance = new();

    public override byte[] Encode(TriggerState value) => TriggerStateEncoding.Encode(value);

    public override TriggerState Decode(ReadOnlySpan<byte> data) => TriggerStateEncoding.Decode(data);
}
