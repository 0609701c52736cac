using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Domain.State;

/// <summary>
/// How a context is kept in the state stores and their changelogs: a compact binary encoding behind a format byte.
/// The JSON document (<see cref="ContextJson"/>) stays the public form (Redis, <c>c360 context get</c>); this one is
/// about a third of its size, because changelogs are what a broker has to retain and a restore has to read.
/// <para>
/// Format 1 writes the fields in declaration order (see <see cref="CompactWriter"/>); format 2 adds the input
/// record's partition and offset to each provenance; format 3 adds the segments with their entry times. All are read, and so are the values written before them, which
/// are JSON and start with <c>{</c>. Any other first byte is a format this version does not know
/// (written by a newer one): it is refused, never guessed at. A new field means a new format number.
/// </para>
/// </summary>
public static partial class ContextState
{
    /// <summary>The first byte of a format-1 value (provenance without partition and offset).</summary>
    public const byte Format1 = 0x01;

    /// <summary>The first byte of a format-2 value (no segments).</summary>
    public const byte Format2 = 0x02;

    /// <summary>The first byte of a format-3 value, the one written now.</summary>
    public const byte Format3 = 0x03;

    public static byte[] Encode(CustomerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var writer = CompactWriter.Reused();
        writer.Byte(Format3);
        writer.String(context.ContextId);
        writer.Int(context.Version);
        writer.TimeBase(context.AsOfMs);
        WriteRelationship(writer, context.Relationship);
        WriteStrings(writer, context.Identifiers);
        WriteWeb(writer, context.Web);
        WriteApp(writer, context.App);
        WriteLocation(writer, context.Location);
        WriteInStore(writer, context.InStore);
        WriteCounters(writer, context.Feedback.ByRule);
        WriteCounters(writer, context.Feedback.ByChannel);
        writer.Count(context.RecentEvents.Count);
        foreach (var applied in context.RecentEvents.AsSpan())
        {
            writer.Guid(applied.Id);
            writer.Time(applied.AtMs);
        }

        writer.Count(context.Provenance.Count);
        foreach (var (group, provenance) in context.Provenance)
        {
            writer.String(group);
            writer.String(provenance.SourceTopic);
            writer.Guid(provenance.EventId);
            writer.Time(provenance.EventTimeMs);
            writer.Int(provenance.Partition);
            writer.Int(provenance.Offset);
        }

        writer.TimesByName(context.Segments);
        return writer.ToArray();
    }

    /// <exception cref="InvalidDataException">The value is corrupt, truncated, or of a format this version does not know.</exception>
    public static CustomerContext Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw StoredFormat.Empty("context");
        }

        return data[0] switch
        {
            Format1 => DecodeCompact(data[1..], withOffsets: false, withSegments: false),
            Format2 => DecodeCompact(data[1..], withOffsets: true, withSegments: false),
            Format3 => DecodeCompact(data[1..], withOffsets: true, withSegments: true),
            StoredFormat.JsonDocumentStart => ContextJson.Deserialize(data),
            var unknown => throw StoredFormat.Unknown("context", unknown),
        };
    }

    /// <summary>
    /// The version of a stored context, read without decoding the rest (the id and the version come first): a
    /// re-assertion compares it with the version Redis holds, and decodes only the contexts Redis lacks.
    /// </summary>
    public static long Version(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw StoredFormat.Empty("context");
        }

        if (data[0] is Format1 or Format2 or Format3)
        {
            var reader = new CompactReader(data[1..]);
            _ = reader.RequiredString();
            return reader.Int();
        }

        // JSON from before the compact format (rare by now), or a format Decode refuses.
        return Decode(data).Version;
    }

    private static CustomerContext DecodeCompact(ReadOnlySpan<byte> data, bool withOffsets, bool withSegments)
    {
        var reader = new CompactReader(data);
        var contextId = reader.RequiredString();
        var version = reader.Int();
        var asOf = reader.TimeBase();
        var context = new CustomerContext
        {
            ContextId = contextId,
            Version = version,
            AsOfMs = asOf,
            Relationship = ReadRelationship(ref reader),
            Identifiers = ReadStrings(ref reader),
            Web = ReadWeb(ref reader),
            App = ReadApp(ref reader),
            Location = ReadLocation(ref reader),
            InStore = ReadInStore(ref reader),
            Feedback = new FeedbackView { ByRule = ReadCounters(ref reader), ByChannel = ReadCounters(ref reader) },
            RecentEvents = ReadRecentEvents(ref reader),
            Provenance = ReadProvenance(ref reader, withOffsets),
            Segments = withSegments ? reader.TimesByName() : OrdinalMap.Empty<long>(),
        };

        return reader.AtEnd ? context : throw new InvalidDataException("A stored context has bytes after its last field.");
    }

    private static void WriteRelationship(CompactWriter writer, RelationshipProfile? profile)
    {
        writer.Bool(profile is not null);
        if (profile is null)
        {
            return;
        }

        writer.Guid(profile.EventId);
        writer.Time(profile.EventTimeMs);
        writer.String(profile.SourceTopic);
        writer.String(profile.CustomerId);
        writer.String(profile.Tier);
        writer.String(profile.Segment);
        writer.Decimal(profile.LifetimeValue);
        writer.Double(profile.ChurnRisk);
        WriteStrings(writer, profile.PreferredCategories);
        writer.String(profile.HomeStoreId);
        var consent = profile.Consent;
        writer.Byte((byte)((consent.Email ? 1 : 0) | (consent.Sms ? 2 : 0) | (consent.Push ? 4 : 0) | (consent.InApp ? 8 : 0) | (consent.Location ? 16 : 0)));
        writer.Bool(profile.QuietHours is not null);
        if (profile.QuietHours is { } quiet)
        {
            writer.Int(quiet.StartMinute);
            writer.Int(quiet.EndMinute);
        }

        writer.String(profile.TimeZone);
        writer.String(profile.Language);
    }

    private static RelationshipProfile? ReadRelationship(ref CompactReader reader)
    {
        if (!reader.Bool())
        {
            return null;
        }

        var eventId = reader.Guid();
        var eventTime = reader.Time();
        var sourceTopic = reader.RequiredString();
        var customerId = reader.RequiredString();
        var tier = reader.RequiredString();
        var segment = reader.RequiredString();
        var lifetimeValue = reader.Decimal();
        var churnRisk = reader.Double();
        IReadOnlyList<string> categories = ReadStrings(ref reader);
        var homeStore = reader.String();
        var flags = reader.Byte();
        var consent = flags <= 31
            ? new Consent((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0, (flags & 16) != 0)
            : throw new InvalidDataException("A stored context's consent flags are corrupt.");
        var quietHours = reader.Bool() ? new QuietHours(reader.Int32(), reader.Int32()) : null;
        return new RelationshipProfile(
            eventId, eventTime, sourceTopic, customerId, tier, segment, lifetimeValue, churnRisk, categories, homeStore, consent, quietHours,
            reader.RequiredString(), reader.RequiredString());
    }

    private static void WriteCounters(CompactWriter writer, ImmutableSortedDictionary<string, FeedbackCounters> counters)
    {
        writer.Count(counters.Count);
        foreach (var (key, value) in counters)
        {
            writer.String(key);
            writer.Int(value.Sent);
            writer.Int(value.Accepted);
            writer.Int(value.Ignored);
            writer.Int(value.IgnoredInRow);
            writer.Time(value.LastIgnoredMs);
        }
    }

    private static ImmutableSortedDictionary<string, FeedbackCounters> ReadCounters(ref CompactReader reader)
    {
        var counters = ImmutableSortedDictionary.CreateBuilder<string, FeedbackCounters>(StringComparer.Ordinal);
        for (var count = reader.Count(); count > 0; count--)
        {
            counters[reader.RequiredString()] = new FeedbackCounters(reader.Int32(), reader.Int32(), reader.Int32(), reader.Int32(), reader.Time());
        }

        return counters.ToImmutable();
    }

    private static RecentEvents ReadRecentEvents(ref CompactReader reader)
    {
        var events = new AppliedEvent[reader.Count()];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = new AppliedEvent(reader.Guid(), reader.Time());
        }

        return RecentEvents.Create(events);
    }

    private static int PartitionOf(long value) => value is >= -1 and <= int.MaxValue
        ? (int)value
        : throw new InvalidDataException($"A stored context has a provenance partition of {value}.");

    private static ImmutableSortedDictionary<string, Provenance> ReadProvenance(ref CompactReader reader, bool withOffsets)
    {
        var provenance = ImmutableSortedDictionary.CreateBuilder<string, Provenance>(StringComparer.Ordinal);
        for (var count = reader.Count(); count > 0; count--)
        {
            var group = reader.RequiredString();
            var (topic, eventId, eventTime) = (reader.RequiredString(), reader.Guid(), reader.Time());
            provenance[group] = withOffsets
                ? new Provenance(topic, eventId, eventTime, PartitionOf(reader.Int()), reader.Int())
                : new Provenance(topic, eventId, eventTime);
        }

        return provenance.ToImmutable();
    }

    private static void WriteStrings(CompactWriter writer, IReadOnlyCollection<string> values)
    {
        writer.Count(values.Count);
        foreach (var value in values)
        {
            writer.String(value);
        }
    }

    private static ImmutableList<string> ReadStrings(ref CompactReader reader)
    {
        var values = ImmutableList.CreateBuilder<string>();
        for (var count = reader.Count(); count > 0; count--)
        {
            values.Add(reader.RequiredString());
        }

        return values.ToImmutable();
    }
}
