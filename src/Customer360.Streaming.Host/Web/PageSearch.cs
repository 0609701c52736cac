using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Redis;

namespace Customer360.Streaming.Host.Web;

internal enum SearchOutcome
{
    Found,
    NotFound,
    RedisDown,
}

/// <summary>What a search found: the path of its page, or why there is none.</summary>
internal sealed record SearchResult(SearchOutcome Outcome, string? Path = null)
{
    public static readonly SearchResult NotFound = new(SearchOutcome.NotFound);

    public static readonly SearchResult RedisDown = new(SearchOutcome.RedisDown);
}

/// <summary>
/// Where the search box leads. A customer id leads to its customer; an identifier (<c>web:…</c>, <c>device:…</c>,
/// <c>app:…</c>) to the customer it is linked to, else to its anonymous context; either only when Redis holds that
/// context, so a mistyped id says so instead of opening an empty page. Otherwise a store's id or name (any case)
/// leads to its floor, which needs no Redis to be found.
/// </summary>
internal static class PageSearch
{
    public static async Task<SearchResult> FindAsync(string query, StoreDirectory stores, RedisContextWriter? redis)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var store = stores.Stores.FirstOrDefault(s =>
            string.Equals(s.StoreId, query, StringComparison.OrdinalIgnoreCase) || string.Equals(s.Name, query, StringComparison.OrdinalIgnoreCase));
        var redisDown = redis is null;
        if (redis is not null)
        {
            try
            {
                if (await FindContextAsync(query, redis) is { } contextId)
                {
                    return new SearchResult(SearchOutcome.Found, "/customers/" + PageText.Segment(contextId));
                }
            }
            catch (Exception ex) when (RedisOutage.Is(ex))
            {
                redisDown = true;
            }
        }

        return store is not null ? new SearchResult(SearchOutcome.Found, "/stores/" + PageText.Segment(store.StoreId))
            : redisDown ? SearchResult.RedisDown
            : SearchResult.NotFound;
    }

    private static async Task<string?> FindContextAsync(string query, RedisContextWriter redis)
    {
        var isIdentifier = query.Contains(':', StringComparison.Ordinal) && !query.StartsWith(CustomerContext.AnonymousPrefix, StringComparison.Ordinal);
        if (isIdentifier)
        {
            // The index is written with the context, but anyone can SET a key: only a context Redis holds is a find.
            if (await redis.ReadCustomerOfAsync(query) is { } linked && EntityIds.IsValid(linked) && await redis.ReadVersionAsync(linked) is not null)
            {
                return linked;
            }

            var anonymous = CustomerContext.AnonymousPrefix + query;
            if (await redis.ReadVersionAsync(anonymous) is not null)
            {
                return anonymous;
            }
        }

        return await redis.ReadVersionAsync(query) is not null ? query : null;
    }
}
