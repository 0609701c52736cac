using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>What made timers come due: stream time (records moved it past them) or the wall clock (the task was idle).</summary>
internal enum TimerClock
{
    Stream,
    Wall,
}

/// <summary>Records a customer's step will emit, and the customer's trigger state after it (null: unchanged).</summary>
internal sealed record PreparedTriggers(IReadOnlyList<Emission> Records, TriggerState? State)
{
    public static readonly PreparedTriggers None = new([], null);

    /// <summary>Offers sent and answered in the step: what the offer ledger counts when the step is applied.</summary>
    public IReadOnlyList<OfferSend> OfferSends { get; init; } = [];

    public IReadOnlyList<OfferOutcome> OfferOutcomes { get; init; } = [];
}

/// <summary>
/// The trigger side of one task: the rule set in force, the index of due timers, and the encoding of what a customer's
/// step (<see cref="CustomerStep"/>) decided. Preparing changes no state (a registry outage then fails the record
/// cleanly); <see cref="Apply"/> stores the new trigger state and emits, in the same commit as the context change.
/// Ids derive from rule, customer and the event's origin, so a replay emits the same ids.
/// </summary>
internal sealed class TriggerStage(
    LiveRuleSet rules, HygieneSettings hygiene, DecisioningSettings decisioning, ProductTopicNames topics, TriggerEncoder encoder, TriggerCounters metrics, OfferMetrics offers)
{
    private readonly TimerIndex _due = new();
    private TriggerEngine? _engine;

    /// <summary>The task's offer ledger (set when the task starts, from its store).</summary>
    public OfferBook? Ledger { get; set; }

    /// <summary>The engine of the rule set in force; a reload swaps it between records, never during one.</summary>
    public TriggerEngine Engine
    {
        get
        {
            var current = rules.Current;
            if (_engine is null || !ReferenceEquals(_engine.Rules, current))
            {
                _engine = new TriggerEngine(current, hygiene, decisioning);
            }

            return _engine;
        }
    }

    /// <summary>The encoded outcomes of a customer's step, with the trigger state to keep; counts what happened.</summary>
    public PreparedTriggers Prepare(CustomerStepResult result)
    {
        if (result.RulesEvaluated)
        {
            metrics.RuleEvaluations.Add(result.Outcomes.Count);
        }

        if (result.Response is { } effect)
        {
            metrics.Responses.Add(1, new KeyValuePair<string, object?>("effect", EnumNames.SnakeCase(effect)));
        }

        if (result.State is null && result.Outcomes.Count == 0 && result.Segments.Count == 0 && result.OfferOutcomes.Count == 0)
        {
            return PreparedTriggers.None;
        }

        var records = Encode(result.Outcomes, result.Context);
        foreach (var change in result.Segments)
        {
            records.Add(encoder.SegmentChange(result.Context, change));
            offers.SegmentChanged(change);
        }

        return new PreparedTriggers(records, result.State) { OfferSends = result.OfferSends, OfferOutcomes = result.OfferOutcomes };
    }

    /// <summary>Customers with something due at <paramref name="nowMs"/>, in due-time order.</summary>
    public IReadOnlyList<string> DueCustomers(IKeyValueStore store, long nowMs)
    {
        _due.EnsureBuilt(store);
        return _due.DueAt(nowMs);
    }

    public void CountTimersFired(TimerClock clock) => metrics.TimersFired.Add(1, new KeyValuePair<string, object?>("clock", EnumNames.SnakeCase(clock)));

    /// <summary>A customer's trigger state as stored, or a fresh one.</summary>
    public static TriggerState Load(IKeyValueStore store, string customerId) =>
        store.GetDecoded(customerId, TriggerStateSerde.Instance) ?? new TriggerState();

    /// <summary>Stores the trigger state (or removes it when empty), counts offers in the ledger, and emits the prepared records.</summary>
    public void Apply(PreparedTriggers prepared, IProcessorContext processor, IKeyValueStore store, string customerId)
    {
        if (prepared.OfferSends.Count > 0 || prepared.OfferOutcomes.Count > 0)
        {
            Ledger?.Record(prepared.OfferSends, prepared.OfferOutcomes);
            foreach (var send in prepared.OfferSends)
            {
                offers.Sent(send);
            }

            foreach (var outcome in prepared.OfferOutcomes)
            {
                offers.Answered(outcome);
            }
        }

        if (prepared.State is { } state)
        {
            if (state.IsEmpty)
            {
                store.Delete(customerId);
            }
            else
            {
                store.PutDecoded(customerId, state, TriggerStateSerde.Instance);
            }

            _due.EnsureBuilt(store);
            _due.Set(customerId, state.NextDueMs);
        }

        EmitAll(processor, prepared.Records);
    }

    /// <summary>Forgets a customer (erasure): state and pending timers.</summary>
    public void Forget(IKeyValueStore store, string customerId)
    {
        if (store.Get(customerId) is not null)
        {
            store.Delete(customerId);
        }

        _due.Set(customerId, -1);
    }

    /// <summary>
    /// Sends prepared records through the processor context, which gives each its deterministic output id, and asks
    /// for a commit soon when one of them is <see cref="Emission.Prompt"/>.
    /// </summary>
    public static void EmitAll(IProcessorContext processor, IEnumerable<Emission> emissions)
    {
        var prompt = false;
        foreach (var emission in emissions)
        {
            processor.Emit(emission.Topic, emission.Key, emission.Value, emission.TimestampMs);
            prompt |= emission.Prompt;
        }

        if (prompt)
        {
            processor.RequestCommit();
        }
    }

    private List<Emission> Encode(IReadOnlyList<RuleOutcome> outcomes, CustomerContext context)
    {
        var records = new List<Emission>();
        foreach (var outcome in outcomes)
        {
            var rule = outcome.Rule;
            var decision = outcome.Decision;
            if (decision.Fires)
            {
                var fired = new FiredTrigger(outcome.TriggerId, rule, context, outcome.TimeMs, outcome.Explanation, outcome.Source) { Offer = outcome.Offer };
                records.Add(rule.Topic == topics.StoreEvents
                    ? encoder.AssociateAssist(fired, context.InStore.StoreId ?? context.Location.NearestStoreId ?? "unknown")
                    : encoder.Trigger(fired));
                metrics.Fired.Add(1, new KeyValuePair<string, object?>("rule", rule.Id));
            }
            else
            {
                metrics.Suppressed.Add(1, new KeyValuePair<string, object?>("reason", EnumNames.SnakeCase(decision.Suppressed!.Value)));
            }

            records.Add(encoder.Decision(new TriggerDecision(
                "d-" + outcome.TriggerId, rule, context.ContextId, outcome.TimeMs, decision.Suppressed, decision.Detail, outcome.Explanation,
                decision.Fires ? outcome.TriggerId : null, outcome.Source) { Offer = outcome.Offer }));
        }

        return records;
    }


    /// <summary>
    /// Customers by the earliest time something of theirs is due. Derived from the trigger-state store (built from it
    /// on first use after a restore, then kept up to date), so only the store is changelogged.
    /// </summary>
    private sealed class TimerIndex
    {
        private readonly SortedSet<(long DueMs, string Customer)> _order = [];
        private readonly Dictionary<string, long> _dueByCustomer = new(StringComparer.Ordinal);
        private bool _built;

        public void EnsureBuilt(IKeyValueStore store)
        {
            if (_built)
            {
                return;
            }

            _built = true;
            foreach (var (customer, state) in store.AllDecoded(TriggerStateSerde.Instance))
            {
                Set(customer, state.NextDueMs);
            }
        }

        public void Set(string customer, long dueMs)
        {
            if (_dueByCustomer.Remove(customer, out var previous))
            {
                _order.Remove((previous, customer));
            }

            if (dueMs >= 0)
            {
                _dueByCustomer[customer] = dueMs;
                _order.Add((dueMs, customer));
            }
        }

        public List<string> DueAt(long nowMs)
        {
            var due = new List<string>();
            foreach (var (dueMs, customer) in _order)
            {
                if (dueMs > nowMs)
                {
                    break;
                }

                due.Add(customer);
            }

            return due;
        }
    }
}

/// <summary>
/// Encodes trigger outputs with the registry, ready to emit; each kind field by field when its contract has the layout
/// <see cref="TriggerOutputBody"/> knows.
/// </summary>
internal sealed class TriggerEncoder(TriggerRecordWriter writer, ITriggerRecordEncoder codec, ProductTopicNames topics)
{
    private readonly OutputEncoding<FiredTrigger> _triggers =
        new(codec, writer.TriggerSchema, TriggerOutputBody.WritesTrigger, TriggerOutputBody.WriteTrigger, writer.Trigger);

    private readonly OutputEncoding<TriggerDecision> _decisions =
        new(codec, writer.DecisionSchema, TriggerOutputBody.WritesDecision, TriggerOutputBody.WriteDecision, writer.Decision);

    private readonly OutputEncoding<StoreEventFields> _storeEvents =
        new(codec, writer.StoreEventSchema, TriggerOutputBody.WritesStoreEvent, TriggerOutputBody.WriteStoreEvent, writer.StoreEvent);

    private readonly OutputEncoding<SegmentChangeFields> _segmentChanges =
        new(codec, writer.SegmentChangeSchema, TriggerOutputBody.WritesSegmentChange, TriggerOutputBody.WriteSegmentChange,
            e => writer.SegmentChange(e.CustomerId, e.Change, e.ContextVersion));

    public Emission Trigger(FiredTrigger fired) =>
        new(topics.Triggers, fired.Context.ContextId, _triggers.Encode(fired, topics.Triggers), fired.CreatedMs, Prompt: true);

    public Emission AssociateAssist(FiredTrigger fired, string storeId) => StoreEvent(StoreEventFields.AssociateAssist(fired, storeId));

    /// <summary>A store event, keyed by its store.</summary>
    public Emission StoreEvent(StoreEventFields e) => new(topics.StoreEvents, e.StoreId, _storeEvents.Encode(e, topics.StoreEvents), e.TimeMs, Prompt: true);

    public Emission Decision(TriggerDecision decision) =>
        new(topics.Decisions, decision.CustomerId, _decisions.Encode(decision, topics.Decisions), decision.TimeMs);

    public Emission SegmentChange(CustomerContext context, SegmentChange change) =>
        new(topics.Segments, context.ContextId, _segmentChanges.Encode(new SegmentChangeFields(context.ContextId, change, context.Version), topics.Segments), change.TimeMs);
}
