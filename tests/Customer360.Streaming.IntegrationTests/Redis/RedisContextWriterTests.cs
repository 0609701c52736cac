using System.Globalization;
using System.Text;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>The Redis view against a real redis-server: version guard, pipelining, NOSCRIPT, TTLs, outages.</summary>
public sealed class RedisContextWriterTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Replay_OfOlderOrEqualVersions_NeverRegressesTheStoredContext()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(Replay_OfOlderOrEqualVersions_NeverRegressesTheStoredContext)).Prefix));

        var first = await writer.WriteAsync([Doc("c-1", 1), Doc("c-1", 3)]);
        var replay = await writer.WriteAsync([Doc("c-1", 2), Doc("c-1", 3), Doc("c-1", 1)]);

        Assert.Equal((2, 0), Counts(first));
        Assert.Equal((0, 3), Counts(replay));
        Assert.Equal(3, await writer.ReadVersionAsync("c-1"));
        Assert.Equal("""{"v":3}""", await writer.ReadJsonAsync("c-1"));
    }

    [Fact]
    public async Task Batch_IsWrittenInOneCall_AndSurvivesAFlushedScriptCache()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(Batch_IsWrittenInOneCall_AndSurvivesAFlushedScriptCache)).Prefix));
        var batch = Enumerable.Range(0, 500).Select(i => Doc($"c-{i}", 1)).ToList();

        Assert.Equal((500, 0), Counts(await writer.WriteAsync(batch)));
        await connection.GetServer(connection.GetEndPoints()[0]).ScriptFlushAsync();
        Assert.Equal((500, 0), Counts(await writer.WriteAsync([.. batch.Select(d => d with { Version = 2 })])));

        Assert.Equal(2, await writer.ReadVersionAsync("c-499"));
    }

    [Fact]
    public async Task Identifiers_FindTheirCustomer_FollowALinkThatMoves_AndAreForgottenWithAnErasedContext()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(Identifiers_FindTheirCustomer_FollowALinkThatMoves_AndAreForgottenWithAnErasedContext)).Prefix));

        await writer.WriteAsync([Doc("c-1", 1) with { Identifiers = ["web:w1", "device:d1"] }, Doc("c-2", 1) with { Identifiers = ["app:a2"] }]);
        Assert.Equal(("c-1", "c-1", "c-2"), (await writer.ReadCustomerOfAsync("web:w1"), await writer.ReadCustomerOfAsync("device:d1"), await writer.ReadCustomerOfAsync("app:a2")));

        // device:d1 moves from c-1 to c-2. Whichever write comes first, the other must not undo it.
        await writer.WriteAsync([Doc("c-2", 2) with { Identifiers = ["app:a2", "device:d1"] }, Doc("c-1", 2) with { Identifiers = ["web:w1"] }]);
        Assert.Equal("c-2", await writer.ReadCustomerOfAsync("device:d1"));

        // A replayed older version changes nothing, the index included.
        await writer.WriteAsync([Doc("c-1", 1) with { Identifiers = ["web:w1", "device:d1"] }]);
        Assert.Equal("c-2", await writer.ReadCustomerOfAsync("device:d1"));

        await writer.WriteAsync([], deletions: ["c-2"]);
        Assert.Equal((null, null, "c-1"), (await writer.ReadCustomerOfAsync("device:d1"), await writer.ReadCustomerOfAsync("app:a2"), await writer.ReadCustomerOfAsync("web:w1")));
    }

    [Fact]
    public async Task Keys_UseHashTags_AndAnonymousContextsExpire()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var prefix = new UniqueNames(nameof(Keys_UseHashTags_AndAnonymousContextsExpire)).Prefix;
        var writer = new RedisContextWriter(connection, new RedisKeys(prefix));

        await writer.WriteAsync([Doc("c-1", 1), Doc("anon:device:9", 1, TimeSpan.FromHours(1))]);

        var database = connection.GetDatabase();
        Assert.Equal($"{prefix}:{{c-1}}:context", writer.Keys.Context("c-1"));
        Assert.Null(await database.KeyTimeToLiveAsync(writer.Keys.Context("c-1")));
        var ttl = await database.KeyTimeToLiveAsync(writer.Keys.Context("anon:device:9"));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task A_key_of_the_view_holding_another_type_is_replaced_by_the_write_and_read_as_absent_not_thrown()
    {
        // One such key (another program's, or a manual SET) failed every batch with WRONGTYPE, and the stream thread
        // with it: the processor stopped. Readers (pages, `c360 context get`) threw it too.
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(A_key_of_the_view_holding_another_type_is_replaced_by_the_write_and_read_as_absent_not_thrown)).Prefix));
        var database = connection.GetDatabase();
        await database.StringSetAsync(writer.Keys.Context("c-1"), "not a hash");
        await database.StringSetAsync(writer.Keys.Context("c-2"), "not a hash");
        await database.ListRightPushAsync(writer.Keys.Presence("store-1"), "not a hash");
        await database.SetAddAsync(writer.Keys.Identifier("web:w9"), "not a string");

        Assert.Null(await writer.ReadJsonAsync("c-1"));
        Assert.Null(await writer.ReadVersionAsync("c-1"));
        Assert.Equal(0, await writer.CountPresentAsync("store-1"));
        Assert.Empty(await writer.ReadPresenceAsync("store-1"));
        Assert.Null(await writer.ReadCustomerOfAsync("web:w9"));

        var result = await writer.WriteAsync([Doc("c-1", 1) with { Presence = new StorePresence("store-1", "z1", 5), Identifiers = ["web:w1"] }], deletions: ["c-2"]);

        Assert.Equal((1, 0, 1, 2), (result.Written, result.SkippedAsNotNewer, result.Deleted, result.ReplacedForeign));
        Assert.Equal("""{"v":1}""", await writer.ReadJsonAsync("c-1"));
        Assert.Equal(1, await writer.CountPresentAsync("store-1"));
        Assert.False(await database.KeyExistsAsync(writer.Keys.Context("c-2")));

        // An identifier key of another type is not ours to delete when a context lets go of it.
        await writer.WriteAsync([Doc("c-3", 1) with { Identifiers = ["web:w9"] }]);
        await database.KeyDeleteAsync(writer.Keys.Identifier("web:w9"));
        await database.SetAddAsync(writer.Keys.Identifier("web:w9"), "not a string");
        await writer.WriteAsync([Doc("c-3", 2)]);
        Assert.Equal(RedisType.Set, await database.KeyTypeAsync(writer.Keys.Identifier("web:w9")));
    }

    [Fact]
    public async Task A_context_hash_whose_version_is_not_a_number_is_replaced_by_the_write_and_reads_as_having_none()
    {
        // A hash of the right type with a `v` someone edited (HSET … v abc) failed the compare-and-set script ("attempt
        // to compare number with nil") and the stream thread with it: the processor stopped at the customer's next change.
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(A_context_hash_whose_version_is_not_a_number_is_replaced_by_the_write_and_reads_as_having_none)).Prefix));
        await connection.GetDatabase().HashSetAsync(writer.Keys.Context("c-1"), [new HashEntry("v", "not a version"), new HashEntry("json", "{}")]);

        Assert.Null(await writer.ReadVersionAsync("c-1"));
        var result = await writer.WriteAsync([Doc("c-1", 1)]);

        Assert.Equal((1, 0, 1), (result.Written, result.SkippedAsNotNewer, result.ReplacedForeign));
        Assert.Equal("""{"v":1}""", await writer.ReadJsonAsync("c-1"));
        Assert.Equal(1, await writer.ReadVersionAsync("c-1"));
    }

    [Fact]
    public async Task A_presence_entry_someone_else_wrote_reads_with_what_can_be_read_of_it()
    {
        // A `since` that is text threw from the reader, and the store's page answered 500.
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(A_presence_entry_someone_else_wrote_reads_with_what_can_be_read_of_it)).Prefix));
        await connection.GetDatabase().HashSetAsync(writer.Keys.Presence("store-1"), [
            new HashEntry("c-1", """{"zone":null,"since":"an hour ago"}"""), new HashEntry("c-2", """{"zone":7,"since":1e400}"""),
            new HashEntry("c-3", "not JSON"), new HashEntry("c-4", """{"zone":"z1","since":5}""")]);

        var present = await writer.ReadPresenceAsync("store-1");

        Assert.Equal(
            ["c-1 - -1", "c-2 - -1", "c-3 - -1", "c-4 z1 5"],
            present.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value.ZoneId ?? "-"} {p.Value.SinceMs}"));
    }

    [Fact]
    public async Task A_context_written_from_other_changelogs_is_replaced_whatever_its_version_and_the_guard_holds_within_ours()
    {
        // A processor on a new cluster (or after its changelogs were recreated) with the same Redis rebuilt its contexts
        // from version 1, and Redis kept the old cluster's at higher versions: 3,429 of 3,430 writes were skipped as
        // not newer, and 499 of 500 customers showed the other cluster's context until `c360 context rebuild`.
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(new UniqueNames(nameof(A_context_written_from_other_changelogs_is_replaced_whatever_its_version_and_the_guard_holds_within_ours)).Prefix);
        var before = new RedisContextWriter(connection, keys, lineage: "old-contexts-id,old-anonymous-id");
        var unrecorded = new RedisContextWriter(connection, keys);
        await before.WriteAsync([Doc("c-1", 40), Doc("c-2", 40)]);
        await unrecorded.WriteAsync([Doc("c-3", 40)]);

        var now = new RedisContextWriter(connection, keys, lineage: "new-contexts-id,new-anonymous-id");
        // The re-assertion reads them as lacking, so it sends them.
        Assert.Equal(new long?[] { null, null, null }, await now.ReadVersionsAsync(["c-1", "c-2", "c-3"]));
        var first = await now.WriteAsync([Doc("c-1", 3), Doc("c-3", 3)]);

        Assert.Equal((2, 0, 1), (first.Written, first.SkippedAsNotNewer, first.ReplacedOtherLineage));
        Assert.Equal(("""{"v":3}""", """{"v":40}""", """{"v":3}"""), (await now.ReadJsonAsync("c-1"), await now.ReadJsonAsync("c-2"), await now.ReadJsonAsync("c-3")));
        Assert.Equal(new long?[] { 3, null, 3 }, await now.ReadVersionsAsync(["c-1", "c-2", "c-3"]));
        // Within one lineage a replayed older version still never regresses a context.
        Assert.Equal((0, 1), Counts(await now.WriteAsync([Doc("c-1", 2)])));
        Assert.Equal(3, await now.ReadVersionAsync("c-1"));
        // A writer that knows no lineage (a cluster without topic ids) compares versions alone, as before.
        Assert.Equal((0, 1), Counts(await unrecorded.WriteAsync([Doc("c-2", 39)])));
    }

    private static (int Written, int Skipped) Counts(WriteResult result) => (result.Written, result.SkippedAsNotNewer);

    private static ContextDocument Doc(string id, long version, TimeSpan? ttl = null) => new(id, version, Encoding.UTF8.GetBytes($$"""{"v":{{version}}}"""), ttl);
}
