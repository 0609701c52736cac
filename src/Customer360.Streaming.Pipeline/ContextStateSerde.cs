using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Pipeline;

/// <summary>Contexts in the context stores and their changelogs, in the compact <see cref="ContextState"/> encoding.</summary>
public sealed class ContextStateSerde : StateSerde<CustomerContext>
{
    public static readonly ContextStateSerde Instance = new();

    public override byte[] Encode(CustomerContext value) => ContextState.Encode(value);

    public override CustomerContext Decode(ReadOnlySpan<byte> data) => ContextState.Decode(data);
}
