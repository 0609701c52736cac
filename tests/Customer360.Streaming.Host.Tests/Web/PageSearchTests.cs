using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>
/// The search box as a store associate or a service agent uses it, against a real redis-server. Before: every query
/// without a colon led to a customer page of that id, so a store's name or a mistyped id opened "no context for this
/// customer yet", and an identifier searched while Redis was down said "nobody found".
/// </summary>
public sealed class PageSearchTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly StoreDirectory Stores = new([
        new StoreLocation("berlin-mitte", "Berlin Mitte", 52.5219, 13.4132, 60, 400),
        new StoreLocation("hamburg-altona", "Hamburg Altona", 53.5503, 9.9355, 70, 450),
    ]);

    [Fact]
    public async Task A_query_leads_to_a_customer_Redis_holds_or_to_a_store_by_id_or_name_and_otherwise_to_nothing()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var reader = new RedisContextWriter(connection, new RedisKeys("c360-search-" + Guid.NewGuid().ToString("N")));
        await reader.WriteAsync([
            Context("cust-ada", identifiers: ["web:w-ada"]),
            Context("anon:device:d-visitor"),
            Context("berlin-mitte"),
        ]);

        Assert.Equal(Found("/customers/cust-ada"), await PageSearch.FindAsync("cust-ada", Stores, reader));
        Assert.Equal(Found("/customers/cust-ada"), await PageSearch.FindAsync("web:w-ada", Stores, reader));
        Assert.Equal(Found("/customers/anon%3Adevice%3Ad-visitor"), await PageSearch.FindAsync("device:d-visitor", Stores, reader));
        Assert.Equal(Found("/stores/hamburg-altona"), await PageSearch.FindAsync("Hamburg Altona", Stores, reader));
        Assert.Equal(Found("/stores/hamburg-altona"), await PageSearch.FindAsync("HAMBURG-ALTONA", Stores, reader));

        // A customer whose id is also a store's id is found as the customer: ids are what agents type.
        Assert.Equal(Found("/customers/berlin-mitte"), await PageSearch.FindAsync("berlin-mitte", Stores, reader));

        Assert.Equal(SearchResult.NotFound, await PageSearch.FindAsync("cust-adaa", Stores, reader));
        Assert.Equal(SearchResult.NotFound, await PageSearch.FindAsync("web:w-nobody", Stores, reader));
        Assert.Equal(SearchResult.NotFound, await PageSearch.FindAsync("Berlin", Stores, reader));

        // Identifier keys naming no context Redis holds (someone else's SET): they led to an empty customer page, or to
        // "/customers/" itself.
        var database = connection.GetDatabase();
        foreach (var (identifier, named) in new[] { ("web:w-gone", "cust-gone"), ("web:w-empty", ""), ("web:w-braces", "a}b{c") })
        {
            await database.StringSetAsync(reader.Keys.Identifier(identifier), named);
            Assert.Equal(SearchResult.NotFound, await PageSearch.FindAsync(identifier, Stores, reader));
        }
    }

    [Fact]
    public async Task Without_Redis_a_store_is_still_found_and_a_customer_search_says_Redis_is_down_instead_of_nothing_found()
    {
        // Not connected at all (the pages pass no reader), and connected to a port where nobody answers.
        Assert.Equal(Found("/stores/berlin-mitte"), await PageSearch.FindAsync("Berlin Mitte", Stores, null));
        Assert.Equal(SearchResult.RedisDown, await PageSearch.FindAsync("web:w-ada", Stores, null));
        Assert.Equal(SearchResult.RedisDown, await PageSearch.FindAsync("cust-ada", Stores, null));

        await using var silent = await UnansweredRedis.ConnectAsync();
        var unanswered = new RedisContextWriter(silent, new RedisKeys("c360-search"));
        Assert.Equal(SearchResult.RedisDown, await PageSearch.FindAsync("cust-ada", Stores, unanswered));
        Assert.Equal(Found("/stores/hamburg-altona"), await PageSearch.FindAsync("hamburg-altona", Stores, unanswered));
    }

    private static SearchResult Found(string path) => new(SearchOutcome.Found, path);

    private static ContextDocument Context(string contextId, IReadOnlyList<string>? identifiers = null) =>
        new(contextId, 1, "{}"u8.ToArray(), Identifiers: identifiers);
}
