using Customer360.Streaming.Domain.Decisioning;

namespace Customer360.Streaming.Contracts;

/// <summary>What a segment change says: whose, which change, at which context version.</summary>
public readonly record struct SegmentChangeFields(string CustomerId, SegmentChange Change, long ContextVersion);
