using System.Globalization;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// Every task that finishes restoring re-asserts its contexts in Redis, a clean restart too, and so does every
/// recovery from an outage. Each context went to Redis as a whole document through the compare-and-set script even
/// when Redis held it already: 100,000 contexts of 2 KB meant 100,000 script calls, about 200 MB sent, and 2.2–4.4 s
/// of the stream thread (4.5–5.4 s when Redis had none). A re-assertion now reads the versions Redis holds first and
/// sends only the contexts Redis lacks or holds older.
/// </summary>
public sealed class RedisReassertionTests
{
    private const int Contexts = (2 * RedisContextSink.BatchSize) + 1;

    [Fact]
    public async Task A_re_assertion_sends_Redis_only_the_contexts_it_lacks_holds_older_or_holds_as_another_programs_value()
    {
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(A_re_assertion_sends_Redis_only_the_contexts_it_lacks_holds_older_or_holds_as_another_programs_value));
        rig.Sink.Recover(new ManyContexts(Contexts, version: 3));
        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 3));

        // After a restore (the store's bytes): three contexts lost, one older, one overwritten by another program.
        var damaged = await DamageAsync(rig, first: 0);
        var scripts = await ScriptCallsAsync(rig.Server, reset: true);
        rig.Sink.Restored(ProductTopics.ContextsStore, 0, new ManyContexts(Contexts, version: 3).Entries(ProductTopics.ContextsStore));

        Assert.Null(rig.Sink.Unavailable);
        Assert.Equal(damaged, await ScriptCallsAsync(rig.Server, reset: false) - scripts);
        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 3));

        // After an outage (the stores' decoded contexts), the same.
        damaged = await DamageAsync(rig, first: 1_000);
        scripts = await ScriptCallsAsync(rig.Server, reset: true);
        rig.Sink.Recover(new ManyContexts(Contexts, version: 3));

        Assert.Null(rig.Sink.Unavailable);
        Assert.Equal(damaged, await ScriptCallsAsync(rig.Server, reset: false) - scripts);
        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 3));
        Assert.Contains(rig.Log.Entries, e => e.Message.StartsWith($"Redis: re-asserted the {Contexts} contexts this stream thread owns in ", StringComparison.Ordinal)
            && e.Message.Contains($"{damaged} written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_context_Redis_holds_at_a_newer_version_is_left_as_it_is()
    {
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(A_context_Redis_holds_at_a_newer_version_is_left_as_it_is));
        rig.Sink.Recover(new ManyContexts(Contexts, version: 5));

        rig.Sink.Restored(ProductTopics.ContextsStore, 0, new ManyContexts(Contexts, version: 4).Entries(ProductTopics.ContextsStore));

        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 5));
    }

    /// <summary>Loses three contexts, makes one older and overwrites one with a string; how many need writing.</summary>
    private static async Task<int> DamageAsync(SinkOnItsOwnRedis rig, int first)
    {
        var database = rig.Server.Multiplexer.GetDatabase();
        var keys = rig.Reader.Keys;
        for (var i = first; i < first + 3; i++)
        {
            await database.KeyDeleteAsync(keys.Context(ManyContexts.Id(i)));
        }

        await database.HashSetAsync(keys.Context(ManyContexts.Id(first + 3)), "v", "1");
        await database.StringSetAsync(keys.Context(ManyContexts.Id(first + 4)), "not ours");
        return 5;
    }

    /// <summary>Script calls Redis has run (EVAL and EVALSHA) since the last reset; resets first when asked.</summary>
    private static async Task<long> ScriptCallsAsync(IServer server, bool reset)
    {
        if (reset)
        {
            await server.ConfigResetStatisticsAsync();
        }

        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return Calls("cmdstat_evalsha") + Calls("cmdstat_eval");

        long Calls(string command) =>
            stats.TryGetValue(command, out var line)
                ? long.Parse(line.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture)
                : 0;
    }
}
