using System.Collections.Immutable;

namespace Customer360.Streaming.Domain;

/// <summary>
/// The empty string-keyed map in ordinal order, made once per value type. <c>Empty.WithComparers(StringComparer.Ordinal)</c>
/// builds a new map at each call, and every new context, view and trigger state starts with several: that was an
/// allocation per map per event for a customer without trigger state. Immutable, so one instance serves them all.
/// </summary>
public static class OrdinalMap
{
    public static ImmutableSortedDictionary<string, TValue> Empty<TValue>() => Made<TValue>.Empty;

    private static class Made<TValue>
    {
        public static readonly ImmutableSortedDictionary<string, TValue> Empty = ImmutableSortedDictionary.Create<string, TValue>(StringComparer.Ordinal);
    }
}
