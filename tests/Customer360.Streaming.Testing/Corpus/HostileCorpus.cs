using CsCheck;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Testing.Corpus;

/// <summary>
/// CsCheck generators of hostile input over the seven input contracts: field values from the valid to the absurd
/// (blank, over-long and control-character ids, braces, NaN and infinite numbers, coordinates off the globe, decimals
/// beyond the schema's precision, event times from before 1970 to centuries ahead), keys that disagree with the value,
/// and encodings that are truncated, bit-flipped or carry a lying length. Most ids come from a small pool, so hostile
/// records land between valid records of the same customers.
/// </summary>
public static class HostileCorpus
{
    /// <summary>Characters a hostile id is drawn from: ordinary ones, the Redis hash-tag braces, separators, controls.</summary>
    private const string HostileIdCharacters = "ab-_:{}\u0000\u001b\r\n\t \u00e9\u200b/*?";

    /// <summary>Records for <paramref name="customers"/> customers around <paramref name="nowMs"/>.</summary>
    public static Gen<HostileRecord> Records(InputTopics topics, long nowMs, int customers)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var customer = Id(customers, "k-");
        var device = Id(customers, "y-");
        var anonymous = Id(customers, "z-");
        var time = EventTime(nowMs);

        var click = Gen.Select(Gen.Guid, time, Gen.Enum<ClickType>(), anonymous, Optional(customer), Text(), Money(), Money())
            .Select(t => (Event: (ChannelEvent)new ClickEvent(t.Item1, t.Item2, topics.Clickstream, t.Item3, t.Item4, t.Item5, "s-" + t.Item4, "https://shop.example/" + t.Item6, "tv", "electronics", t.Item7, 1, t.Item8), Key: "web:" + t.Item4, Identifier: (string?)null));
        var app = Gen.Select(Gen.Guid, time, Gen.Enum<AppEventType>(), device, Optional(customer), Optional(Text()))
            .Select(t => (Event: (ChannelEvent)new AppEvent(t.Item1, t.Item2, topics.Mobile, t.Item3, t.Item4, t.Item5, t.Item6), Key: "device:" + t.Item4, Identifier: (string?)null));
        var fix = Gen.Select(Gen.Guid, time, device, Number(-90, 90), Number(-180, 180), Number(0, 500))
            .Select(t => (Event: (ChannelEvent)new LocationFix(t.Item1, t.Item2, topics.Location, t.Item3, t.Item4, t.Item5, t.Item6), Key: "device:" + t.Item3, Identifier: (string?)null));
        var beacon = Gen.Select(Gen.Guid, time, device, Gen.OneOf(Gen.Const("berlin-mitte"), Text()), Gen.Enum<Proximity>(), Gen.Int[-120, 10], Gen.Enum<SightingType>())
            .Select(t => (Event: (ChannelEvent)new BeaconSighting(t.Item1, t.Item2, topics.Beacon, t.Item4, "electronics", t.Item5, t.Item6, t.Item7), Key: "device:" + t.Item3, Identifier: (string?)("device:" + t.Item3)));
        var profile = Gen.Select(Gen.Guid, time, customer, Money(), Number(0, 1), Gen.Bool, Gen.OneOf(Gen.Const("Europe/Berlin"), Text()))
            .Select(t => (Event: (ChannelEvent)new RelationshipProfile(t.Item1, t.Item2, topics.Relationship, t.Item3, "GOLD", "families", t.Item4 ?? 0m, t.Item5, ["electronics"], "berlin-mitte", new Consent(Push: true, Location: t.Item6), null, t.Item7, "de-DE"), Key: t.Item3, Identifier: (string?)null));
        var link = Gen.Select(Gen.Guid, time, Gen.Enum<IdentifierType>(), device, customer, Gen.Enum<IdentityAction>())
            .Select(t => (Event: (ChannelEvent)new IdentityLink(t.Item1, t.Item2, topics.Identity, t.Item3, t.Item4, t.Item5, t.Item6), Key: Identifiers.Format(t.Item3, t.Item4), Identifier: (string?)null));
        var response = Gen.Select(Gen.Guid, time, customer, Gen.Enum<ResponseOutcome>())
            .Select(t => (Event: (ChannelEvent)new TriggerResponse(t.Item1, t.Item2, topics.Responses, "trigger-1", t.Item3, t.Item4), Key: t.Item3, Identifier: (string?)null));

        var written = Gen.OneOf(click, app, fix, beacon, profile, link, response);
        // One record in eight is produced under a key of its own, which the value does not agree with.
        var key = Gen.Frequency((7, Gen.Const((string?)null)), (1, HostileId().Select(k => (string?)k)));
        var sent = Gen.Select(written, key, Mutation()).Select((w, k, m) => new HostileRecord(w.Event.SourceTopic, k ?? w.Key, w.Identifier, w.Event, m));
        if (topics.KeyedByCustomer is not { Count: > 0 } twins)
        {
            return sent;
        }

        // One channel record in three comes on its customer-keyed twin, keyed by a customer its value may not name.
        return Gen.Select(sent, customer, Gen.Int[0, 2]).Select((r, c, roll) =>
            roll == 0 && twins.TryGetValue(r.Topic, out var twin) ? r with { Topic = twin, Key = c, Event = r.Event with { SourceTopic = twin } } : r);
    }

    /// <summary>Untouched half the time (hostile values only); otherwise truncated, one to three bits flipped, or a lying length.</summary>
    public static Gen<ByteMutation> Mutation() => Gen.Frequency(
        (4, Gen.Const<ByteMutation>(new Untouched())),
        (1, Gen.Double[0, 1].Select(keep => (ByteMutation)new Truncated(keep))),
        (2, Gen.Select(Gen.Double[0, 0.999], Gen.Int[0, 7]).Array[1, 3].Select(flips => (ByteMutation)new BitsFlipped(flips))),
        (1, Gen.Select(Gen.Double[0, 0.999], Gen.OneOf(Gen.Long[1_000_000, long.MaxValue / 2], Gen.Long[long.MinValue / 2, -1])).Select((at, claimed) => (ByteMutation)new LengthLie(at, claimed))));

    /// <summary>Mostly <c>{prefix}{n}</c> from a pool of <paramref name="pool"/>; sometimes an id no valid producer writes.</summary>
    private static Gen<string> Id(int pool, string prefix) =>
        Gen.Frequency((8, Gen.Int[0, pool - 1].Select(n => prefix + n)), (1, HostileId()));

    private static Gen<string> HostileId() => Gen.OneOf(
        Gen.String[Gen.Char[HostileIdCharacters], 0, 12],
        Gen.Const(string.Empty),
        Gen.Const(new string('x', 300)),
        Gen.Const("a}:b"),
        Gen.Const("{k-1}"));

    /// <summary>An ordinary text, a hostile one, or one longer than any text a context keeps (<see cref="TextLimits"/>).</summary>
    private static Gen<string> Text() => Gen.Frequency(
        (4, Gen.OneOf(Gen.Const("p/tv"), Gen.String[Gen.Char[HostileIdCharacters], 0, 40])),
        (1, Gen.Const(new string('t', TextLimits.Url + 1))));

    private static Gen<string?> Optional(Gen<string> value) => Gen.Frequency((1, Gen.Const((string?)null)), (3, value.Select(v => (string?)v)));

    /// <summary>Within [<paramref name="min"/>, <paramref name="max"/>] mostly; sometimes outside it, NaN, infinite or extreme.</summary>
    private static Gen<double> Number(double min, double max) => Gen.Frequency(
        (6, Gen.Double[min, max]),
        (1, Gen.Double),
        (1, Gen.OneOf(Gen.Const(double.NaN), Gen.Const(double.PositiveInfinity), Gen.Const(double.NegativeInfinity), Gen.Const(double.MaxValue), Gen.Const(max + 1), Gen.Const(-0.0))));

    /// <summary>Cents up to the schema's precision (12 digits) mostly; sometimes beyond it, up to what the writer can scale (10^26).</summary>
    private static Gen<decimal?> Money() => Gen.Frequency(
        (1, Gen.Const((decimal?)null)),
        (6, Gen.Long[-99_999_999_999, 999_999_999_999].Select(cents => (decimal?)(cents / 100m))),
        (1, Gen.OneOf(Gen.Const((decimal?)1e20m), Gen.Const((decimal?)-1e26m), Gen.Const((decimal?)0.001m))));

    /// <summary>
    /// Within a minute before <paramref name="nowMs"/> mostly; sometimes far ahead, before 1970, or at the ends of what a
    /// timestamp can hold (years 1 and 9999: the writer goes through <see cref="DateTimeOffset"/>; bit flips reach beyond).
    /// </summary>
    private static Gen<long> EventTime(long nowMs) => Gen.Frequency(
        (8, Gen.Long[nowMs - 60_000, nowMs]),
        (1, Gen.Long[nowMs + 3_600_000, nowMs + 1_000L * 365 * 24 * 3_600_000]),
        (1, Gen.OneOf(Gen.Long[MinTimestampMs, 0], Gen.Const(MinTimestampMs), Gen.Const(MaxTimestampMs))));

    private static readonly long MinTimestampMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    private static readonly long MaxTimestampMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
}
