using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Testing.Corpus;

/// <summary>
/// One record of the hostile corpus: an event of one input contract with field values a producer could write, the key
/// it is produced under, and what is done to its bytes once encoded. <see cref="Identifier"/> is the device a beacon
/// sighting carries (the beacon contract names it in the value); null for the other contracts.
/// </summary>
public sealed record HostileRecord(string Topic, string Key, string? Identifier, ChannelEvent Event, ByteMutation Mutation)
{
    public override string ToString() => $"{Event.GetType().Name} on {Topic} keyed '{Key}', {Mutation}: {Event}";
}
