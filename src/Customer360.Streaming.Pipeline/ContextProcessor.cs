using System.Globalization;
using System.Text;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Contracts;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// The live context, one task per partition of the customer-keyed topics: channel events re-keyed by the identity
/// task, links and unlinks, channel events their sources keyed by customer, and the relationship table. Every change
/// is kept in the <c>contexts</c> store (whose changelog Redis materializes); each changed context is published once
/// per commit as a snapshot on <c>c360.context.v1</c>. A relationship tombstone erases the customer: context, links,
/// Redis keys, and everything that arrives for them afterwards. What an event, a response or a timer does to a
/// customer is decided by the domain's pure <see cref="CustomerStep"/>; this processor routes the input to it, loads
/// and saves the customer's context and trigger state, and encodes what the step returns (triggers, decisions, store
/// events).
/// </summary>
public sealed class ContextProcessor(ContextPipelineSetup settings, string identityCommandsTopic, PipelineMetrics metrics, ILogger logger) : IProcessor
{
    private readonly string _contextTopic = settings.Topics.Context;
    private readonly HashSet<string> _customerKeyedChannels = [.. settings.Topics.CustomerKeyedChannels];
    private readonly ContextReducer _reducer = new(settings.Context, settings.Stores);
    private IProcessorContext _context = null!;
    private TypedKeyValueStore<CustomerContext> _contexts = null!;
    private IKeyValueStore _erasures = null!;
    private IKeyValueStore _triggerState = null!;

    /// <summary>Made once, not per event: reads a customer's trigger state when the step asks for it.</summary>
    private Func<string, TriggerState> _loadTriggerState = null!;
    private readonly PresenceEvents _presence = new(new TriggerEncoder(new TriggerRecordWriter(settings.Codec.Contracts), settings.Codec, settings.Topics));
    private bool _processedSinceWallTick;

    private readonly SnapshotPublisher _snapshots = new(settings.Codec, settings.Topics.Context);
    // Without a rule file the stage runs with no rules: the context's own timers (a store presence's lapse) are kept in
    // the customer's trigger state too, and without the stage a customer stayed in the store until their next event.
    private readonly TriggerStage _triggers = new(
        settings.Rules ?? new LiveRuleSet(RuleSet.None), settings.Hygiene, settings.Decisioning, settings.Topics,
        new TriggerEncoder(new TriggerRecordWriter(settings.Codec.Contracts), settings.Codec, settings.Topics), metrics.TriggerCounters, metrics.Offers);

    public void Init(IProcessorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _contexts = context.Store(ProductTopics.ContextsStore).Typed(ContextStateSerde.Instance);
        _erasures = context.Store(ProductTopics.ErasuresStore);
        _triggerState = context.Store(ProductTopics.TriggerStateStore);
        _loadTriggerState = customer => TriggerStage.Load(_triggerState, customer);
        _triggers.Ledger = new OfferBook(context.Store(ProductTopics.OfferLearningStore), context.Partition, settings.Decisioning.ContextPartitions);
        context.Schedule("trigger-timers", settings.TimerInterval, PunctuationType.StreamTime, now => FireTimers(now, TimerClock.Stream));
        if (settings.WallClockTimers)
        {
            context.Schedule("trigger-timers-idle", settings.TimerInterval, PunctuationType.WallClockTime, OnWallClock);
        }
    }

    public void Process(StreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var customer = EntityIds.Problem(record.Key) is { } problem
            ? throw new PoisonRecordException($"A record on {record.Topic}: its customer key {problem}.")
            : record.Key!;
        settings.Codec.RefuseTimestampAhead(record, _context);
        _processedSinceWallTick = true;
        if (record.Topic == settings.Topics.Responses)
        {
            Respond(customer, record.Value);
            return;
        }

        if (record.Topic == settings.Topics.Relationship)
        {
            if (record.Value is null)
            {
                Erase(customer);
                return;
            }

            if (settings.Codec.Decode(record.Topic, record.Value) is not RelationshipProfile profile || profile.CustomerId != customer)
            {
                throw new PoisonRecordException("A relationship profile's key is not its customer id.");
            }

            Reduce(customer, profile);
            return;
        }

        if (_customerKeyedChannels.Contains(record.Topic))
        {
            Reduce(customer, KeyedEvent(customer, record));
            return;
        }

        switch (InternalRecords.KindOf(record))
        {
            case InternalKind.Event when record.Value is { Length: > 0 } value:
                // Decoded as a record of the topic it entered by, which the origin headers name.
                Reduce(customer, settings.Codec.Decode(record.Origin.Topic, value));
                break;
            case InternalKind.Link:
                Link(customer, InternalRecords.IdentifierOf(record), record.Value);
                break;
            case InternalKind.Unlink:
                Unlink(customer, InternalRecords.IdentifierOf(record));
                break;
            default:
                throw new PoisonRecordException($"An internal record on {record.Topic} has an unexpected kind.");
        }
    }

    /// <summary>The event of a record its source keyed by customer, which must not name anyone else.</summary>
    private ChannelEvent KeyedEvent(string customer, StreamRecord record)
    {
        var channelEvent = record.Value is { } value
            ? settings.Codec.Decode(record.Topic, value)
            : throw new PoisonRecordException($"A record on {record.Topic} has no value.");
        var named = channelEvent switch
        {
            ClickEvent click => click.CustomerId,
            AppEvent app => app.CustomerId,
            _ => null,
        };
        return named is null || named == customer
            ? channelEvent
            : throw new PoisonRecordException($"A record on {record.Topic} names a customer other than its key.");
    }

    private void Reduce(string customer, ChannelEvent channelEvent)
    {
        if (_context.IsReplay(_contexts.Bytes, customer) || Load(customer) is not { } current)
        {
            return;
        }

        var source = Source(channelEvent);
        var result = CustomerStep.OnEvent(
            _reducer, _triggers.Engine, current, _loadTriggerState, channelEvent, source, _context.StreamTimeMs, _triggers.Ledger);
        metrics.CountReduction(result.Reduction, channelEvent.SourceTopic);
        switch (result.Reduction)
        {
            case ReductionOutcome.Applied:
                // Encoded first: encoding may hit a registry outage, which must fail the record before any state changed.
                var triggers = _triggers.Prepare(result);
                var presence = _presence.Encode(result.Presence, result.Context, channelEvent.EventTimeMs, source);
                Save(result.Context);
                _triggers.Apply(triggers, _context, _triggerState, customer);
                TriggerStage.EmitAll(_context, presence);
                break;
            case ReductionOutcome.Late:
                _context.CountLate();
                break;
        }
    }

    private void Link(string customer, string identifier, byte[]? anonymousState)
    {
        if (_context.IsReplay(_contexts.Bytes, customer))
        {
            return;
        }

        if (Load(customer) is not { } current)
        {
            // Linked after the customer was erased: tell the identity task to drop the link again.
            ForgetLink(CustomerHash.Of(customer), identifier);
            return;
        }

        var limit = settings.Identity.MaxIdentifiersPerCustomer;
        var refused = current.Identifiers.Count >= limit && !current.Identifiers.Contains(identifier);
        var linked = refused ? current : current.WithIdentifier(identifier);
        if (refused)
        {
            // Full: the identity task drops the link again, so the customer's identifiers stay every identifier that
            // resolves to it (what an erasure relies on). What the identifier did anonymously is merged all the same:
            // the anonymous context went with the link record, and dropping it would lose the events.
            metrics.LinksRefused.Add(1);
            ForgetLink(CustomerHash.Of(customer), identifier);
        }
        else if (linked.Identifiers.Count == limit && current.Identifiers.Count < limit)
        {
            Log.WithHash(logger, LogLevel.Warning, customer, (l, hash) => Log.CustomerIdentifiersFull(l, hash, limit));
        }

        if (anonymousState is { Length: > 0 })
        {
            metrics.AnonymousMerged.Add(1);
            Save(ContextMerge.Merge(linked, ContextState.Decode(anonymousState)));
        }
        else if (!refused)
        {
            Save(linked with { Version = linked.Version + 1 });
        }
    }

    /// <summary>Asks the identity task to drop the link of <paramref name="identifier"/> to the customer of <paramref name="customerHash"/>, as if it had never been made.</summary>
    private void ForgetLink(string customerHash, string identifier) =>
        _context.Emit(identityCommandsTopic, identifier, Encoding.UTF8.GetBytes(customerHash), headers: InternalRecords.Headers(InternalKind.Forget));

    private void Unlink(string customer, string identifier)
    {
        if (_context.IsReplay(_contexts.Bytes, customer) || _contexts.Get(customer) is not { } current)
        {
            return;
        }

        if (current.Identifiers.Contains(identifier))
        {
            var unlinked = current.WithoutIdentifier(identifier);
            Save(unlinked with { Version = unlinked.Version + 1 });
        }
    }

    private void Erase(string customer)
    {
        var hash = CustomerHash.Of(customer);
        if (_context.IsReplay(_erasures, hash))
        {
            return;
        }

        if (_contexts.Get(customer) is { } erased)
        {
            foreach (var identifier in erased.Identifiers)
            {
                ForgetLink(hash, identifier);
            }

            _contexts.Delete(customer);
        }

        _triggers.Forget(_triggerState, customer);

        // Nothing of the customer is published after the tombstone, not even a change made earlier in this commit.
        _snapshots.Forget(customer);

        // Only the hash is kept: enough to recognise the customer's records later, not to name them.
        _erasures.Put(hash, Encoding.UTF8.GetBytes(_context.StreamTimeMs.ToString(CultureInfo.InvariantCulture)));
        // The tombstone is what erases the customer from the compacted snapshot topic.
        _context.Emit(_contextTopic, customer, null);
        metrics.Erasures.Add(1);
        Log.CustomerErased(logger, hash);
    }

    /// <summary>A response to a sent trigger: joined by trigger id to the send it answers, in the customer's trigger state.</summary>
    private void Respond(string customer, byte[]? value)
    {
        // Tombstones mean something only on the compacted tables (relationship, identity); on an event topic, as on
        // the channel topics, one is an invalid value.
        if (value is null)
        {
            throw new PoisonRecordException($"A tombstone on {settings.Topics.Responses}, an event topic, is not a response.");
        }

        if (_context.IsReplay(_triggerState, customer))
        {
            return;
        }

        if (settings.Codec.Decode(settings.Topics.Responses, value) is not TriggerResponse response || response.CustomerId != customer)
        {
            throw new PoisonRecordException("A trigger response's key is not its customer id.");
        }

        if (_contexts.Get(customer) is not { } current)
        {
            return;
        }

        SaveAndApply(current, CustomerStep.OnResponse(current, TriggerStage.Load(_triggerState, customer), response, _triggers.Engine.Rules.Segments));
    }

    /// <summary>
    /// Wall-clock timers fire only while the task is idle (no record since the last tick): while input flows, stream
    /// time drives them, so a backlog being caught up never fires a timer that a queued event would have cancelled.
    /// </summary>
    private void OnWallClock(long wallNowMs)
    {
        if (_processedSinceWallTick)
        {
            _processedSinceWallTick = false;
            return;
        }

        var now = Math.Max(_context.StreamTimeMs, wallNowMs - (long)settings.Context.Grace.TotalMilliseconds);
        if (now >= 0)
        {
            FireTimers(now, TimerClock.Wall);
        }
    }

    /// <summary>Fires every customer's due timers; the outcomes are committed like any record's (timers removed, history, outputs).</summary>
    private void FireTimers(long nowMs, TimerClock clock)
    {
        foreach (var customer in _triggers.DueCustomers(_triggerState, nowMs))
        {
            if (_contexts.Get(customer) is not { } current)
            {
                _triggers.Forget(_triggerState, customer);
                continue;
            }

            SaveAndApply(current, CustomerStep.OnTick(
                _reducer, _triggers.Engine, current, TriggerStage.Load(_triggerState, customer), nowMs, decideAtDue: clock == TimerClock.Stream, _triggers.Ledger));
            // Counted once applied: a customer whose outputs the registry refused fires at the next tick instead.
            _triggers.CountTimersFired(clock);
        }
    }

    /// <summary>Outside the event path (a response, a timer) a feedback change is a change of its own: one version more.</summary>
    private void SaveAndApply(CustomerContext current, CustomerStepResult result)
    {
        // The change gets its version first, so what goes out with it (triggers, segment changes) names the version saved.
        var versioned = ReferenceEquals(result.Context, current) ? result : result with { Context = result.Context with { Version = current.Version + 1 } };
        var prepared = _triggers.Prepare(versioned);
        // A presence that lapsed at a tick is told to the store as of when it lapsed, with an id from the event that began the stay.
        var presence = versioned.Lapsed is { } lapsed ? _presence.Encode(versioned.Presence, versioned.Context, lapsed.AtMs, lapsed.Source) : [];
        if (!ReferenceEquals(versioned.Context, current))
        {
            Save(versioned.Context);
        }

        _triggers.Apply(prepared, _context, _triggerState, current.ContextId);
        TriggerStage.EmitAll(_context, presence);
    }

    private SourceRef Source(ChannelEvent channelEvent)
    {
        var origin = _context.CurrentRecord!.Origin;
        return new SourceRef(origin.Topic, origin.Partition, origin.Offset, channelEvent.EventId);
    }

    /// <summary>The customer's context, a new one, or null when the customer was erased (then the record is dropped).</summary>
    private CustomerContext? Load(string customer)
    {
        if (_contexts.Get(customer) is { } current)
        {
            return current;
        }

        if (_erasures.Get(CustomerHash.Of(customer)) is not null)
        {
            metrics.SuppressedAfterErasure.Add(1);
            return null;
        }

        return CustomerContext.Empty(customer);
    }

    /// <summary>Keeps the change; its snapshot goes out at the commit, once however many records changed the context.</summary>
    private void Save(CustomerContext next)
    {
        _snapshots.Changed(next.ContextId, next);
        _contexts.Put(next.ContextId, next);
    }

    public void Flush() => _snapshots.Publish(_context, _contexts.Get);
}
