using Avro;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using static Customer360.Streaming.Contracts.AvroBody;
using Encoder = Avro.IO.Encoder;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Writes triggers, decision records, store events and segment changes field by field, the same bytes
/// <see cref="TriggerRecordWriter"/>'s records serialize to. Every rule whose conditions hold writes a decision, fired or suppressed, so a customer dwelling where
/// a rule cools down writes one at each event; building the record (four to six records, boxed values and arrays)
/// was an eighth of what the context stage allocated. Each writer knows one layout of its schema: the <c>Writes…</c>
/// methods tell whether a schema has it, and for any other (a new version) the caller builds the record.
/// </summary>
public static class TriggerOutputBody
{
    /// <summary>The scale of an offer's value (cents), as both layouts' decimals declare it.</summary>
    private const int OfferValueScale = 2;

    private static readonly string[] OutcomeSymbols = ["FIRED", "SUPPRESSED"];

    private static readonly string[] ReasonSymbols =
        ["NONE", "CONSENT", "COOLDOWN", "FREQUENCY_CAP", "QUIET_HOURS", "STALE", "LOST_ARBITRATION", "FATIGUE", "ERASED", "NO_ELIGIBLE_OFFER"];

    private static readonly string[] PolicySymbols = ["LEARNED", "PRIORITY", "RANDOM", "PER_SEGMENT"];

    private static readonly string[] ChannelSymbols = ["PUSH", "SMS", "EMAIL", "IN_APP", "STORE_ASSOCIATE"];

    private static readonly string[] StoreEventSymbols = ["CUSTOMER_ENTERED", "CUSTOMER_LEFT", "CUSTOMER_DWELLING", "ASSOCIATE_ASSIST"];

    private static readonly string[] SegmentChangeSymbols = ["ENTERED", "LEFT"];

    private const string ExplanationLayout = "explanation:array<{expression:string actual:string passed:boolean}>";
    private const string SourceLayout = "source:{topic:string partition:int offset:long eventId:string}";

    private static readonly string DecisionLayout =
        "eventId:string eventTime:long decisionId:string ruleId:string ruleVersion:int customerId:string " +
        $"outcome:{EnumLayout(OutcomeSymbols)} reason:{EnumLayout(ReasonSymbols)} detail:string {ExplanationLayout} " +
        $"triggerId:[null,string] {SourceLayout} offerDecision:[null,{{segment:string chosenOfferId:string " +
        $"policy:{EnumLayout(PolicySymbols)} explored:boolean why:string candidates:array<{{offerId:string channel:string " +
        "value:bytes posteriorMean:double sample:double score:double}> excluded:array<string>}]";

    private static readonly string TriggerLayout =
        "eventId:string eventTime:long triggerId:string ruleId:string ruleVersion:int customerId:string " +
        $"channel:{EnumLayout(ChannelSymbols)} priority:int expiresAt:long summary:string {ExplanationLayout} " +
        $"contextVersion:long {SourceLayout} attributes:map<string> " +
        "offer:[null,{offerId:string description:string value:bytes segment:string}]";

    private static readonly string StoreEventLayout =
        $"eventId:string eventTime:long storeId:string zoneId:[null,string] type:{EnumLayout(StoreEventSymbols)} visitorRef:string " +
        "summary:{known:boolean tier:[null,string] preferredCategories:array<string> openCartValue:[null,bytes]} dwellSeconds:[null,int] " +
        $"triggerId:[null,string] {SourceLayout}";

    private static readonly string SegmentChangeLayout =
        $"eventId:string eventTime:long customerId:string segment:string change:{EnumLayout(SegmentChangeSymbols)} enteredAt:long contextVersion:long";

    /// <summary>Whether <paramref name="schema"/> has the layout <see cref="WriteDecision"/> writes, offer values in cents.</summary>
    public static bool WritesDecision(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Layout(schema) == DecisionLayout && ValueScale(AvroValues.RecordOf(schema, "offerDecision"), "candidates") == OfferValueScale;
    }

    /// <summary>Whether <paramref name="schema"/> has the layout <see cref="WriteTrigger"/> writes, offer values in cents.</summary>
    public static bool WritesTrigger(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Layout(schema) == TriggerLayout && AvroValues.ScaleOf(AvroValues.RecordOf(schema, "offer")["value"].Schema) == OfferValueScale;
    }

    /// <summary>Whether <paramref name="schema"/> has the layout <see cref="WriteStoreEvent"/> writes, cart values in cents.</summary>
    public static bool WritesStoreEvent(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Layout(schema) == StoreEventLayout && AvroValues.ScaleOf(AvroValues.RecordOf(schema, "summary")["openCartValue"].Schema) == OfferValueScale;
    }

    /// <summary>Whether <paramref name="schema"/> has the layout <see cref="WriteSegmentChange"/> writes.</summary>
    public static bool WritesSegmentChange(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Layout(schema) == SegmentChangeLayout;
    }

    /// <summary>Writes a store event's body; only for a schema <see cref="WritesStoreEvent"/> accepts.</summary>
    public static void WriteStoreEvent(StoreEventFields e, Encoder encoder)
    {
        ArgumentNullException.ThrowIfNull(e.Context);
        ArgumentNullException.ThrowIfNull(encoder);
        Uuid(encoder, e.EventId);
        encoder.WriteLong(e.TimeMs);
        Utf8(encoder, e.StoreId);
        OptionalString(encoder, e.ZoneId);
        encoder.WriteEnum(SymbolIndex(StoreEventSymbols, e.Type));
        Utf8(encoder, TriggerRecordWriter.Pseudonym(e.Context.ContextId));
        encoder.WriteBoolean(e.Context.Known);
        OptionalString(encoder, e.Context.Relationship?.Tier);
        var categories = e.Context.Relationship?.PreferredCategories ?? [];
        StringArray(encoder, categories.Count, categories, static (list, i) => list[i]);
        OptionalDecimal(encoder, e.Context.Web.CartValue > 0 ? e.Context.Web.CartValue : null, OfferValueScale);
        OptionalInt(encoder, e.DwellSeconds);
        OptionalString(encoder, e.TriggerId);
        Source(encoder, e.Source);
    }

    /// <summary>Writes a segment change's body; only for a schema <see cref="WritesSegmentChange"/> accepts.</summary>
    public static void WriteSegmentChange(SegmentChangeFields e, Encoder encoder)
    {
        ArgumentNullException.ThrowIfNull(e.Change);
        ArgumentNullException.ThrowIfNull(encoder);
        Uuid(encoder, TriggerRecordWriter.SegmentChangeId(e.CustomerId, e.Change));
        encoder.WriteLong(e.Change.TimeMs);
        Utf8(encoder, e.CustomerId);
        Utf8(encoder, e.Change.Segment);
        encoder.WriteEnum(e.Change.Entered ? 0 : 1);
        encoder.WriteLong(e.Change.EnteredMs);
        encoder.WriteLong(e.ContextVersion);
    }

    /// <summary>Writes <paramref name="decision"/>'s body; only for a schema <see cref="WritesDecision"/> accepts.</summary>
    public static void WriteDecision(TriggerDecision decision, Encoder encoder)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(encoder);
        RuleOutputHeader(encoder, decision.DecisionId, decision.TimeMs, decision.Rule, decision.CustomerId);
        encoder.WriteEnum(decision.Suppressed is null ? 0 : 1);
        encoder.WriteEnum(SymbolIndex(ReasonSymbols, TriggerRecordWriter.Reason(decision.Suppressed)));
        Utf8(encoder, decision.Detail);
        Explanation(encoder, decision.Explanation);
        OptionalString(encoder, decision.TriggerId);
        Source(encoder, decision.Source);
        if (decision.Offer is not { } choice)
        {
            encoder.WriteUnionIndex(NullBranch);
            return;
        }

        encoder.WriteUnionIndex(ValueBranch);
        Utf8(encoder, choice.Segment);
        Utf8(encoder, choice.Offer.Id);
        encoder.WriteEnum(SymbolIndex(PolicySymbols, EnumNames.SnakeCase(choice.Policy).ToUpperInvariant()));
        encoder.WriteBoolean(choice.Explored);
        Utf8(encoder, choice.Reason);
        encoder.WriteArrayStart();
        encoder.SetItemCount(choice.Candidates.Count);
        foreach (var candidate in choice.Candidates)
        {
            encoder.StartItem();
            Utf8(encoder, candidate.OfferId);
            Utf8(encoder, EnumNames.SnakeCase(candidate.Channel));
            AvroBody.Decimal(encoder, candidate.Value, OfferValueScale);
            encoder.WriteDouble(candidate.PosteriorMean);
            encoder.WriteDouble(candidate.Sample);
            encoder.WriteDouble(candidate.Score);
        }

        encoder.WriteArrayEnd();
        StringArray(encoder, choice.Excluded.Count, choice.Excluded, static (list, i) => list[i]);
    }

    /// <summary>Writes <paramref name="fired"/>'s body; only for a schema <see cref="WritesTrigger"/> accepts.</summary>
    public static void WriteTrigger(FiredTrigger fired, Encoder encoder)
    {
        ArgumentNullException.ThrowIfNull(fired);
        ArgumentNullException.ThrowIfNull(encoder);
        RuleOutputHeader(encoder, fired.TriggerId, fired.CreatedMs, fired.Rule, fired.Context.ContextId);
        encoder.WriteEnum(SymbolIndex(ChannelSymbols, TriggerRecordWriter.Channel(fired.Offer?.Offer.Channel ?? fired.Rule.Hygiene.Channel)));
        encoder.WriteInt(fired.Rule.Hygiene.Priority);
        encoder.WriteLong(fired.ExpiresMs);
        Utf8(encoder, fired.Rule.Description);
        Explanation(encoder, fired.Explanation);
        encoder.WriteLong(fired.Context.Version);
        Source(encoder, fired.Source);
        encoder.WriteMapStart();
        encoder.SetItemCount(0);
        encoder.WriteMapEnd();
        if (fired.Offer is not { } choice)
        {
            encoder.WriteUnionIndex(NullBranch);
            return;
        }

        encoder.WriteUnionIndex(ValueBranch);
        Utf8(encoder, choice.Offer.Id);
        Utf8(encoder, choice.Offer.Description);
        AvroBody.Decimal(encoder, choice.Offer.Value, OfferValueScale);
        Utf8(encoder, choice.Segment);
    }

    /// <summary>
    /// The fields a trigger and a decision both begin with: the event id made from the output's own id, its time, that
    /// id, the rule and its version, the customer.
    /// </summary>
    private static void RuleOutputHeader(Encoder encoder, string outputId, long timeMs, TriggerRule rule, string customerId)
    {
        Uuid(encoder, AvroValues.NameBasedId(outputId));
        encoder.WriteLong(timeMs);
        Utf8(encoder, outputId);
        Utf8(encoder, rule.Id);
        encoder.WriteInt(rule.Version);
        Utf8(encoder, customerId);
    }

    private static void Explanation(Encoder encoder, IReadOnlyList<ConditionTrace> traces)
    {
        encoder.WriteArrayStart();
        encoder.SetItemCount(traces.Count);
        foreach (var trace in traces)
        {
            encoder.StartItem();
            Utf8(encoder, trace.Condition);
            Utf8(encoder, trace.Actual);
            encoder.WriteBoolean(trace.Result == true);
        }

        encoder.WriteArrayEnd();
    }

    private static void Source(Encoder encoder, SourceRef source)
    {
        Utf8(encoder, source.Topic);
        encoder.WriteInt(source.Partition);
        encoder.WriteLong(source.Offset);
        Uuid(encoder, source.EventId);
    }

    /// <summary>A symbol's position in the layout's enum; one it lacks is a bug, as the record path's unknown symbol is.</summary>
    private static int SymbolIndex(string[] symbols, string symbol) =>
        Array.IndexOf(symbols, symbol) is >= 0 and var index ? index : throw new ArgumentException($"The layout has no symbol {symbol}.", nameof(symbol));

    private static int ValueScale(RecordSchema offerDecision, string candidatesField) =>
        AvroValues.ScaleOf(((RecordSchema)((ArraySchema)offerDecision[candidatesField].Schema).ItemSchema)["value"].Schema);
}
