using System.Security.Cryptography;
using System.Text;
using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Contracts;

/// <summary>Triggers, decisions and associate-assist store events as records of their contracts.</summary>
public sealed class TriggerRecordWriter(SchemaCatalog contracts)
{
    private readonly RecordSchema _trigger = contracts.Latest("trigger").Schema;
    private readonly RecordSchema _decision = contracts.Latest("decision-record").Schema;
    private readonly RecordSchema _storeEvent = contracts.Latest("store-event").Schema;
    private readonly RecordSchema _segmentChange = contracts.Latest("segment-change").Schema;

    public RecordSchema TriggerSchema => _trigger;

    public RecordSchema DecisionSchema => _decision;

    public RecordSchema StoreEventSchema => _storeEvent;

    public RecordSchema SegmentChangeSchema => _segmentChange;

    public GenericRecord Trigger(FiredTrigger fired)
    {
        ArgumentNullException.ThrowIfNull(fired);
        var r = new GenericRecord(_trigger);
        r.Add("eventId", AvroValues.NameBasedId(fired.TriggerId));
        r.Add("eventTime", AvroValues.Timestamp(fired.CreatedMs));
        r.Add("triggerId", fired.TriggerId);
        r.Add("ruleId", fired.Rule.Id);
        r.Add("ruleVersion", fired.Rule.Version);
        r.Add("customerId", fired.Context.ContextId);
        r.Add("channel", AvroValues.Symbol(_trigger, "channel", Channel(fired.Offer?.Offer.Channel ?? fired.Rule.Hygiene.Channel)));
        r.Add("priority", fired.Rule.Hygiene.Priority);
        r.Add("expiresAt", AvroValues.Timestamp(fired.ExpiresMs));
        r.Add("summary", fired.Rule.Description);
        r.Add("explanation", Explanation(_trigger, fired.Explanation));
        r.Add("contextVersion", fired.Context.Version);
        r.Add("source", Source(_trigger, fired.Source));
        r.Add("attributes", new Dictionary<string, object>(StringComparer.Ordinal));
        r.Add("offer", fired.Offer is { } choice ? Proposal(choice) : null);
        return r;
    }

    /// <summary>A customer entered or left a segment.</summary>
    public GenericRecord SegmentChange(string customerId, SegmentChange change, long contextVersion)
    {
        ArgumentNullException.ThrowIfNull(change);
        var r = new GenericRecord(_segmentChange);
        r.Add("eventId", SegmentChangeId(customerId, change));
        r.Add("eventTime", AvroValues.Timestamp(change.TimeMs));
        r.Add("customerId", customerId);
        r.Add("segment", change.Segment);
        r.Add("change", AvroValues.Symbol(_segmentChange, "change", change.Entered ? "ENTERED" : "LEFT"));
        r.Add("enteredAt", AvroValues.Timestamp(change.EnteredMs));
        r.Add("contextVersion", contextVersion);
        return r;
    }

    /// <summary>A segment change's event id: the same entry or exit of the same customer gets the same id.</summary>
    public static Guid SegmentChangeId(string customerId, SegmentChange change) =>
        AvroValues.NameBasedId($"segment\n{customerId}\n{change.Segment}\n{(change.Entered ? "entered" : "left")}\n{change.EnteredMs}");

    private GenericRecord Proposal(OfferChoice choice)
    {
        var schema = AvroValues.RecordOf(_trigger, "offer");
        var proposal = new GenericRecord(schema);
        proposal.Add("offerId", choice.Offer.Id);
        proposal.Add("description", choice.Offer.Description);
        proposal.Add("value", AvroValues.Money(schema, "value", choice.Offer.Value));
        proposal.Add("segment", choice.Segment);
        return proposal;
    }

    private GenericRecord OfferDecision(OfferChoice choice)
    {
        var schema = AvroValues.RecordOf(_decision, "offerDecision");
        var scoreSchema = (RecordSchema)((ArraySchema)schema["candidates"].Schema).ItemSchema;
        var record = new GenericRecord(schema);
        record.Add("segment", choice.Segment);
        record.Add("chosenOfferId", choice.Offer.Id);
        record.Add("policy", AvroValues.Symbol(schema, "policy", choice.Policy));
        record.Add("explored", choice.Explored);
        record.Add("why", choice.Reason);
        record.Add("candidates", choice.Candidates.Select(c =>
        {
            var score = new GenericRecord(scoreSchema);
            score.Add("offerId", c.OfferId);
            score.Add("channel", Domain.EnumNames.SnakeCase(c.Channel));
            score.Add("value", AvroValues.Money(scoreSchema, "value", c.Value));
            score.Add("posteriorMean", c.PosteriorMean);
            score.Add("sample", c.Sample);
            score.Add("score", c.Score);
            return (object)score;
        }).ToArray());
        record.Add("excluded", choice.Excluded.Cast<object>().ToArray());
        return record;
    }

    public GenericRecord Decision(TriggerDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var r = new GenericRecord(_decision);
        r.Add("eventId", AvroValues.NameBasedId(decision.DecisionId));
        r.Add("eventTime", AvroValues.Timestamp(decision.TimeMs));
        r.Add("decisionId", decision.DecisionId);
        r.Add("ruleId", decision.Rule.Id);
        r.Add("ruleVersion", decision.Rule.Version);
        r.Add("customerId", decision.CustomerId);
        r.Add("outcome", AvroValues.Symbol(_decision, "outcome", decision.Suppressed is null ? "FIRED" : "SUPPRESSED"));
        r.Add("reason", AvroValues.Symbol(_decision, "reason", Reason(decision.Suppressed)));
        r.Add("detail", decision.Detail);
        r.Add("explanation", Explanation(_decision, decision.Explanation));
        r.Add("triggerId", decision.TriggerId);
        r.Add("source", Source(_decision, decision.Source));
        r.Add("offerDecision", decision.Offer is { } choice ? OfferDecision(choice) : null);
        return r;
    }

    /// <summary>
    /// A store event of any type (<see cref="StoreEventFields.Presence"/>, <see cref="StoreEventFields.AssociateAssist"/>):
    /// the visitor is a pseudonym, the summary what staff may know.
    /// </summary>
    public GenericRecord StoreEvent(StoreEventFields e)
    {
        ArgumentNullException.ThrowIfNull(e.Context);
        var r = new GenericRecord(_storeEvent);
        r.Add("eventId", e.EventId);
        r.Add("eventTime", AvroValues.Timestamp(e.TimeMs));
        r.Add("storeId", e.StoreId);
        r.Add("zoneId", e.ZoneId);
        r.Add("type", AvroValues.Symbol(_storeEvent, "type", e.Type));
        r.Add("visitorRef", Pseudonym(e.Context.ContextId));
        var summarySchema = AvroValues.RecordOf(_storeEvent, "summary");
        var summary = new GenericRecord(summarySchema);
        summary.Add("known", e.Context.Known);
        summary.Add("tier", e.Context.Relationship?.Tier);
        summary.Add("preferredCategories", (e.Context.Relationship?.PreferredCategories ?? []).Cast<object>().ToArray());
        summary.Add("openCartValue", e.Context.Web.CartValue > 0 ? AvroValues.Money(summarySchema, "openCartValue", e.Context.Web.CartValue) : null);
        r.Add("summary", summary);
        r.Add("dwellSeconds", e.DwellSeconds);
        r.Add("triggerId", e.TriggerId);
        r.Add("source", Source(_storeEvent, e.Source));
        return r;
    }

    /// <summary>A stable pseudonym of a customer for store staff: the same visitor gets the same reference, never the id.</summary>
    public static string Pseudonym(string customerId)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("visitor\n" + customerId), digest);
        return "v-" + Convert.ToHexStringLower(digest[..8]);
    }

    internal static string Channel(TriggerChannel channel) => channel switch
    {
        TriggerChannel.Push => "PUSH",
        TriggerChannel.Email => "EMAIL",
        TriggerChannel.Sms => "SMS",
        TriggerChannel.InApp => "IN_APP",
        _ => "STORE_ASSOCIATE",
    };

    internal static string Reason(SuppressionReason? reason) => reason switch
    {
        null => "NONE",
        SuppressionReason.NoConsent => "CONSENT",
        SuppressionReason.Cooldown or SuppressionReason.GroupCooldown => "COOLDOWN",
        SuppressionReason.DailyCap => "FREQUENCY_CAP",
        SuppressionReason.QuietHours => "QUIET_HOURS",
        SuppressionReason.Stale => "STALE",
        SuppressionReason.Fatigue => "FATIGUE",
        SuppressionReason.NoEligibleOffer => "NO_ELIGIBLE_OFFER",
        _ => "LOST_ARBITRATION",
    };

    private static object[] Explanation(RecordSchema schema, IReadOnlyList<ConditionTrace> traces)
    {
        var item = (RecordSchema)((ArraySchema)schema["explanation"].Schema).ItemSchema;
        return [.. traces.Select(t =>
        {
            var outcome = new GenericRecord(item);
            outcome.Add("expression", t.Condition);
            outcome.Add("actual", t.Actual);
            outcome.Add("passed", t.Result == true);
            return (object)outcome;
        })];
    }

    private static GenericRecord Source(RecordSchema schema, SourceRef source)
    {
        var record = new GenericRecord(AvroValues.RecordOf(schema, "source"));
        record.Add("topic", source.Topic);
        record.Add("partition", source.Partition);
        record.Add("offset", source.Offset);
        record.Add("eventId", source.EventId);
        return record;
    }
}
