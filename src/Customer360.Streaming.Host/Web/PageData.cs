using System.Text.Json;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Web;

/// <summary>
/// Gathers what each page shows from where it lives: contexts and presence in Redis (what every other reader of
/// Redis sees), decisions and assists from the <see cref="LiveFeed"/>, pace and lag from the processor's status.
/// </summary>
internal sealed class PageData
{
    /// <summary>Rows on the store floor; a store with more present shows the count and the longest-present first.</summary>
    public const int VisitorsShown = 200;

    /// <summary>The zone of a customer present in a store whose zone no beacon has confirmed yet.</summary>
    public const string NoZone = "(no zone yet)";

    private const string RedisDown = "Redis is not reachable: nothing can be shown until it answers.";

    /// <summary>Said on the customer's page and by <c>/customers/{id}/context</c> when Redis holds something else for them.</summary>
    internal const string NotAContext = "What Redis holds for this customer is not a context document (did another program write it?). "
        + "The processor replaces it with the customer's next change; c360 context rebuild repairs the whole view now.";

    private readonly RedisConnectionService _redis;
    private readonly RedisKeys _keys;
    private readonly StoreDirectory _stores;
    private readonly LiveFeed _feed;
    private readonly StreamProcessorService _processor;
    private readonly TimeProvider _time;
    private readonly ConsumptionRate _rate;

    public PageData(
        RedisConnectionService redis, IOptions<RedisOptions> redisOptions, StoreDirectory stores, LiveFeed feed, StreamProcessorService processor, TimeProvider time)
    {
        _redis = redis;
        _keys = new RedisKeys(redisOptions.Value.KeyPrefix);
        _stores = stores;
        _feed = feed;
        _processor = processor;
        _time = time;
        _rate = new ConsumptionRate(() => processor.Processor?.Status.RecordsConsumed ?? 0, time);
    }

    /// <summary>The store of <paramref name="storeId"/>, or null when stores.yaml has none.</summary>
    public StoreLocation? Store(string storeId) => _stores.Stores.FirstOrDefault(s => s.StoreId == storeId);

    public async Task<CustomerPageModel> CustomerAsync(string customerId)
    {
        var now = NowMs;
        var decisions = _feed.DecisionsFor(customerId);
        if (Reader() is not { } redis)
        {
            return new CustomerPageModel(customerId, null, decisions, null, now, RedisDown);
        }

        try
        {
            var json = await redis.ReadJsonAsync(customerId);
            if (!TryParse(json, out var context))
            {
                return new CustomerPageModel(customerId, null, decisions, null, now, NotAContext);
            }

            var nearest = context?.Location.NearestStoreId is { } nearestId ? Store(nearestId) : null;
            return new CustomerPageModel(customerId, context, decisions, nearest, now, null) { Staleness = Staleness(_processor.Processor?.Status) };
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            return new CustomerPageModel(customerId, null, decisions, null, now, RedisDown);
        }
    }

    /// <summary>Where the search box leads for <paramref name="query"/>: see <see cref="PageSearch"/>.</summary>
    public Task<SearchResult> SearchAsync(string query) => PageSearch.FindAsync(query, _stores, Reader());

    public async Task<StoreFloorModel> StoreFloorAsync(StoreLocation store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var now = NowMs;
        var assists = _feed.AssistsIn(store.StoreId);
        if (Reader() is not { } redis)
        {
            return new StoreFloorModel(store, [], assists, [], now, RedisDown);
        }

        try
        {
            var present = (await redis.ReadPresenceAsync(store.StoreId))
                .Select(e => (CustomerId: e.Key, Presence: e.Value))
                .OrderBy(p => p.Presence.SinceMs).ThenBy(p => p.CustomerId, StringComparer.Ordinal)
                .ToList();
            // Issued together, so the multiplexer pipelines them into one round trip.
            var reads = present.Take(VisitorsShown).Select(p => redis.ReadJsonAsync(p.CustomerId)).ToList();
            var visitors = new List<StoreVisitor>(reads.Count);
            for (var i = 0; i < reads.Count; i++)
            {
                // A visitor whose document cannot be read is shown as the presence alone.
                visitors.Add(Visitor(present[i].CustomerId, TryParse(await reads[i], out var context) ? context : null, present[i].Presence));
            }

            var zones = present
                .GroupBy(p => p.Presence.ZoneId ?? NoZone, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, g.Count()))
                .OrderBy(z => z.Key, StringComparer.Ordinal)
                .ToList();
            return new StoreFloorModel(store, visitors, assists, zones, now, null) { PresentCount = present.Count, Staleness = Staleness(_processor.Processor?.Status) };
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            return new StoreFloorModel(store, [], assists, [], now, RedisDown);
        }
    }

    public async Task<OverviewModel> OverviewAsync()
    {
        var now = NowMs;
        var status = _processor.Processor?.Status;
        var partitions = status?.Partitions ?? [];
        var lag = partitions.Sum(p => p.Lag ?? 0);
        var lagSeconds = partitions.Select(p => p.LagSecondsAt(now)).DefaultIfEmpty(0).Max();
        var phase = status?.Phase.ToString() ?? "Created";
        var decisions = _feed.LatestDecisions(10);
        var counts = new List<StoreCount>(_stores.Stores.Count);
        string? problem = null;
        if (Reader() is { } redis)
        {
            try
            {
                var present = await redis.CountPresentAsync(_stores.Stores.Select(s => s.StoreId));
                counts.AddRange(_stores.Stores.Select((store, i) => new StoreCount(store, (int)present[i])));
            }
            catch (Exception ex) when (RedisOutage.Is(ex))
            {
                problem = RedisDown;
                counts.Clear();
            }
        }
        else
        {
            problem = RedisDown;
        }

        return new OverviewModel(counts, _rate.PerSecond(), lag, lagSeconds, phase, decisions, _feed.Following, _feed.Unreadable, now, problem)
        {
            DeadLetters = status?.DeadLetters ?? 0,
            DeletedUnread = status?.DeletedUnread ?? 0,
            Staleness = Staleness(status),
        };
    }

    /// <summary>
    /// Said above what Redis shows while the processor does not keep it current: it holds processing (Redis refused
    /// or did not answer its writes) or partitions wait on a dependency. Reads may still work then, and show the past.
    /// Not for joining, restoring or a buffer full for moments under load: those pass without anyone's help.
    /// </summary>
    internal static string? Staleness(StreamProcessorStatus? status) =>
        status is { HeldBy: not null } or { PauseReasons.Count: > 0 }
            ? "May be out of date: " + ProcessorHealthCheck.Assess(status, readiness: true).Description
            : null;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The context in <paramref name="json"/> (null for none); false when Redis holds something that is not a context document.</summary>
    private static bool TryParse(string? json, out CustomerContext? context)
    {
        try
        {
            context = json is null ? null : ContextJson.Deserialize(json);
            return true;
        }
        catch (JsonException)
        {
            context = null;
            return false;
        }
    }

    /// <summary>Redis as every reader of it sees it, or null while it is not connected.</summary>
    private RedisContextWriter? Reader() => _redis.Connection is { IsConnected: true } connection ? new RedisContextWriter(connection, _keys) : null;

    private static StoreVisitor Visitor(string customerId, CustomerContext? context, StorePresence presence) => new(
        TriggerRecordWriter.Pseudonym(customerId),
        context?.Known ?? !customerId.StartsWith(CustomerContext.AnonymousPrefix, StringComparison.Ordinal),
        context?.Relationship?.Tier,
        context?.Relationship?.PreferredCategories ?? [],
        context?.Web.CartValue ?? 0m,
        presence.ZoneId,
        presence.SinceMs);
}
