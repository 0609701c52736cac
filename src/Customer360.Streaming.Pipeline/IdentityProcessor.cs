using System.Text;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// Identity stitching, one task per partition of the identifier-keyed topics. Keeps the links of each identifier
/// and the anonymous context of each identifier nobody is linked to. Events of a linked identifier are re-keyed by
/// customer (their original bytes, through the repartition topic); a new link moves the identifier's anonymous
/// context to the customer for merging.
/// </summary>
public sealed class IdentityProcessor(ContextPipelineSetup settings, string eventsByCustomerTopic, PipelineMetrics metrics, ILogger logger) : IProcessor
{
    private readonly string _contextTopic = settings.Topics.Context;

    /// <summary>Asked for every record: one set made here, not the list the topic names build on each read.</summary>
    private readonly HashSet<string> _channels = [.. settings.Topics.Channels];
    private readonly ContextReducer _reducer = new(settings.Context, settings.Stores);
    private IProcessorContext _context = null!;
    private IKeyValueStore _links = null!;
    private TypedKeyValueStore<CustomerContext> _anonymous = null!;

    private readonly SnapshotPublisher _snapshots = new(settings.Codec, settings.Topics.Context);

    public void Init(IProcessorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _links = context.Store(ProductTopics.IdentityLinksStore);
        _anonymous = context.Store(ProductTopics.AnonymousContextsStore).Typed(ContextStateSerde.Instance);
        context.Schedule("expire-anonymous", settings.AnonymousSweepInterval, PunctuationType.StreamTime, ExpireAnonymous);
    }

    public void Process(StreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var identifier = EntityIds.Problem(record.Key) is { } problem
            ? throw new PoisonRecordException($"A record on {record.Topic}: its identifier key {problem}.")
            : record.Key!;
        settings.Codec.RefuseTimestampAhead(record, _context);
        if (record.Topic == settings.Topics.Identity)
        {
            ApplyLink(identifier, record);
        }
        else if (_channels.Contains(record.Topic))
        {
            Route(identifier, record);
        }
        else
        {
            Forget(identifier, record);
        }
    }

    private void ApplyLink(string identifier, StreamRecord record)
    {
        if (_context.IsReplay(_links, identifier))
        {
            return;
        }

        var state = LinksOf(identifier);
        if (record.Value is null)
        {
            // A tombstone on the compacted identity topic removes the identifier's links altogether.
            foreach (var customer in state.LinkedCustomers.Keys)
            {
                _context.Emit(eventsByCustomerTopic, customer, [], headers: InternalRecords.Headers(InternalKind.Unlink, identifier));
            }

            _links.Delete(identifier);
            return;
        }

        if (settings.Codec.Decode(record.Topic, record.Value) is not IdentityLink link || link.Identifier != identifier)
        {
            throw new PoisonRecordException($"An identity link's key is not '<type>:<value>' of its identifier.");
        }

        var (next, outcome) = state.Apply(link, settings.Identity);
        switch (outcome)
        {
            case LinkOutcome.Linked or LinkOutcome.Released when next.ResolvedCustomer is { } customer:
                // Whatever the identifier did anonymously moves to the customer, exactly once: the anonymous
                // context is deleted in the same commit as the link record that carries it. Not after a quarantine:
                // what a shared identifier did then belongs to nobody in particular, so it stays anonymous and expires.
                var anonymous = outcome == LinkOutcome.Linked ? _anonymous.Bytes.Get(identifier) : null;
                _context.Emit(eventsByCustomerTopic, customer, anonymous ?? [], headers: InternalRecords.Headers(InternalKind.Link, identifier));
                if (anonymous is not null)
                {
                    _anonymous.Delete(identifier);
                    _snapshots.Forget(identifier);
                    _context.Emit(_contextTopic, Identifiers.AnonymousContextId(identifier), null);
                }

                if (outcome == LinkOutcome.Released)
                {
                    Log.WithHash(logger, LogLevel.Information, identifier, Log.IdentifierReleased);
                }

                break;
            case LinkOutcome.Unlinked:
                _context.Emit(eventsByCustomerTopic, link.CustomerId, [], headers: InternalRecords.Headers(InternalKind.Unlink, identifier));
                break;
            case LinkOutcome.Quarantined:
                metrics.QuarantinedIdentifiers.Add(1);
                Log.WithHash(logger, LogLevel.Warning, identifier, (l, hash) => Log.IdentifierQuarantined(l, hash, next.LinkedCustomers.Count, settings.Identity.MaxCustomersPerIdentifier));
                break;
        }

        Save(identifier, next);
    }

    /// <summary>Erasure: the context task asks to forget a customer (by hash) for this identifier.</summary>
    private void Forget(string identifier, StreamRecord record)
    {
        // No replay check: forgetting is idempotent, and this record's origin may be the very link it undoes (a link
        // that reached an erased customer), which the applied offsets would mistake for a replay.
        if (InternalRecords.KindOf(record) != InternalKind.Forget || record.Value is null)
        {
            return;
        }

        var hash = Encoding.UTF8.GetString(record.Value);
        var state = LinksOf(identifier);
        var erased = state.LinkedCustomers.Keys.Where(c => CustomerHash.Of(c) == hash).ToList();
        foreach (var customer in erased)
        {
            state = state.Forget(customer, settings.Identity);
        }

        Save(identifier, state);
    }

    private void Route(string identifier, StreamRecord record)
    {
        if (record.Value is null)
        {
            throw new PoisonRecordException($"A record on {record.Topic} has no value.");
        }

        // A signed-in channel names the customer itself; otherwise the identity table decides. Either way only the
        // customer id is read: a routed event is decoded (and judged valid or not) once, by the context stage.
        var customer = settings.Codec.NamedCustomer(record.Topic, record.Value)
            ?? (_links.Get(identifier) is { } links ? IdentityStateEncoding.ResolvedCustomer(links) : null);
        if (customer is not null)
        {
            _context.Emit(eventsByCustomerTopic, customer, record.Value, record.TimestampMs, InternalRecords.RoutedEvent(record.Headers));
            return;
        }

        if (_context.IsReplay(_anonymous.Bytes, identifier))
        {
            return;
        }

        var channelEvent = settings.Codec.Decode(record.Topic, record.Value);
        var current = _anonymous.Get(identifier) ?? CustomerContext.Empty(Identifiers.AnonymousContextId(identifier));
        var reduction = _reducer.Apply(current, channelEvent);
        metrics.CountReduction(reduction.Outcome, record.Topic);
        switch (reduction.Outcome)
        {
            case ReductionOutcome.Applied:
                _snapshots.Changed(identifier, reduction.Context);
                _anonymous.Put(identifier, reduction.Context);
                break;
            case ReductionOutcome.Late:
                _context.CountLate();
                break;
        }
    }

    private void ExpireAnonymous(long streamTimeMs)
    {
        var horizon = streamTimeMs - (long)settings.Identity.AnonymousContextTtl.TotalMilliseconds;
        var expired = _anonymous.All()
            .Where(e => e.Value.AsOfMs < horizon)
            .Select(e => e.Key)
            .ToList();
        foreach (var identifier in expired)
        {
            _anonymous.Delete(identifier);
            _snapshots.Forget(identifier);
            _context.Emit(_contextTopic, Identifiers.AnonymousContextId(identifier), null);
        }

        metrics.AnonymousExpired.Add(expired.Count);
    }

    /// <summary>One snapshot per anonymous context changed since the last commit.</summary>
    public void Flush() => _snapshots.Publish(_context, _anonymous.Get);

    private IdentityState LinksOf(string identifier) =>
        _links.Get(identifier) is { } bytes ? IdentityStateEncoding.Decode(bytes) : new IdentityState();

    private void Save(string identifier, IdentityState state)
    {
        if (state.IsEmpty)
        {
            _links.Delete(identifier);
        }
        else
        {
            _links.Put(identifier, IdentityStateEncoding.Encode(state));
        }
    }
}
