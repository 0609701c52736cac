using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>Where a customer is inside a store, for the store's presence hash.</summary>
public sealed record StorePresence(string StoreId, string? ZoneId, long SinceMs);

/// <summary>A context document to materialize: written only if its version is newer than the stored one.</summary>
/// <param name="Json">The public JSON document, UTF-8 (as Redis stores it; no string in between).</param>
/// <param name="Ttl">Expiry for anonymous contexts; null keeps the key.</param>
/// <param name="Presence">The store the customer is in now (null: in none).</param>
/// <param name="Identifiers">Identifiers linked to a known customer, indexed for search (null or empty: none).</param>
public sealed record ContextDocument(string ContextId, long Version, byte[] Json, TimeSpan? Ttl = null, StorePresence? Presence = null, IReadOnlyList<string>? Identifiers = null);

/// <summary>
/// How a batch went: written, skipped because Redis already held the same or a newer version, deleted; network round
/// trips; keys of the view that held a value of another type (not written by us) and were replaced; and contexts
/// written from other changelogs (another lineage) that were replaced whatever their version.
/// </summary>
public sealed record WriteResult(int Written, int SkippedAsNotNewer, int Deleted = 0, int RoundTrips = 0, int ReplacedForeign = 0, int ReplacedOtherLineage = 0);

/// <summary>
/// Writes contexts to Redis through a Lua compare-and-set on the version, so a replay (after a crash, or a rebuild)
/// never regresses newer data. Versions compare only within one <paramref name="lineage"/>: each context records the
/// lineage it was written from (<see cref="ContextLineage"/>, the ids of the context changelogs), and one written from
/// other changelogs (recreated, or another cluster's), or before lineages were recorded, is replaced whatever its
/// version, since the state that versioned it is gone. A writer without a lineage (empty) compares versions alone and
/// records none. A batch costs one pipelined round trip, plus a second one only when store presence or a customer's
/// identifiers changed (the identifier index lives in keys of its own, in other cluster slots).
/// Scripts are loaded once, run by SHA (EVALSHA), and resent in full when the server answers NOSCRIPT (after a
/// restart, failover or SCRIPT FLUSH). The view's keys are the processor's: one holding a value of another type
/// (another program's, a manual SET) is replaced by the next write to it, not allowed to fail every batch with
/// WRONGTYPE, and reads as absent.
/// </summary>
public sealed class RedisContextWriter(IConnectionMultiplexer redis, RedisKeys keys, string lineage = "")
{
    /// <summary>
    /// Lua that deletes KEYS[1] when it holds a value of another type than a hash (not ours: the next write replaces
    /// it) and sets <c>replaced</c> to 1 then, else 0.
    /// </summary>
    private const string ReplaceUnlessHash = """
        local kind = redis.call('TYPE', KEYS[1]).ok
        local replaced = 0
        if kind ~= 'hash' and kind ~= 'none' then
          redis.call('DEL', KEYS[1])
          replaced = 1
        end

        """;

    /// <summary>
    /// KEYS[1] context key; ARGV[1] version, ARGV[2] document, ARGV[3] ttl in ms (0 = keep), ARGV[4] store the customer
    /// is in ('' = none), ARGV[5] indexed identifiers, one per line, ARGV[6] the writer's lineage ('' = none: versions
    /// compare alone). Returns {1 if written, the store recorded before, the identifiers indexed before, 1 if a value
    /// not written by us was replaced, 1 if a context of another recorded lineage was replaced}: a value of another
    /// type, or a hash whose version is not a number (comparing it stopped the script, and the stream thread with it).
    /// </summary>
    internal static readonly Script CompareAndSet = new(ReplaceUnlessHash + """
        local current = redis.call('HGET', KEYS[1], 'v')
        local before = redis.call('HGET', KEYS[1], 'store') or ''
        local ids = redis.call('HGET', KEYS[1], 'ids') or ''
        local recorded = redis.call('HGET', KEYS[1], 'l') or ''
        local version = tonumber(current)
        local otherLineage = 0
        if current and not version then
          replaced = 1
        elseif version and ARGV[6] ~= '' and recorded ~= ARGV[6] then
          if recorded ~= '' then
            otherLineage = 1
          end
        elseif version and version >= tonumber(ARGV[1]) then
          return {0, before, ids, replaced, 0}
        end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'json', ARGV[2], 'store', ARGV[4], 'ids', ARGV[5], 'l', ARGV[6])
        if tonumber(ARGV[3]) > 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        else
          redis.call('PERSIST', KEYS[1])
        end
        return {1, before, ids, replaced, otherLineage}
        """);

    /// <summary>KEYS[1] context key. Deletes it and returns {the store it was present in ('' = none), its indexed identifiers}.</summary>
    internal static readonly Script Remove = new("""
        if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then
          redis.call('DEL', KEYS[1])
          return {'', ''}
        end
        local before = redis.call('HGET', KEYS[1], 'store') or ''
        local ids = redis.call('HGET', KEYS[1], 'ids') or ''
        redis.call('DEL', KEYS[1])
        return {before, ids}
        """);

    /// <summary>
    /// KEYS[1] identifier key; ARGV[1] context id. Deletes the key only while it still names that context: the
    /// identifier may have moved to another customer, whose write must not be undone.
    /// </summary>
    internal static readonly Script Unindex = new("""
        if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """);

    /// <summary>KEYS[1] presence key; ARGV[1] context id, ARGV[2] where in the store. Returns 1 if a value of another type was replaced.</summary>
    internal static readonly Script PresenceSet = new(ReplaceUnlessHash + """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return replaced
        """);

    /// <summary>KEYS[1] presence key; ARGV[1] context id. Removes the customer from the store's presence, when it is a presence hash.</summary>
    internal static readonly Script PresenceRemove = new("""
        if redis.call('TYPE', KEYS[1]).ok == 'hash' then
          return redis.call('HDEL', KEYS[1], ARGV[1])
        end
        return 0
        """);

    /// <summary>The fields a version read takes: the version, and the lineage it was written from.</summary>
    private static readonly RedisValue[] VersionAndLineage = ["v", "l"];

    private bool _scriptsLoaded;

    public RedisKeys Keys { get; } = keys;

    /// <summary>Writes the documents and deletes <paramref name="deletions"/> (erased or expired contexts).</summary>
    public async Task<WriteResult> WriteAsync(IReadOnlyList<ContextDocument> batch, IReadOnlyList<string>? deletions = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        deletions ??= [];
        if (batch.Count == 0 && deletions.Count == 0)
        {
            return new WriteResult(0, 0);
        }

        var database = redis.GetDatabase();
        var loadTrips = 0;
        if (!Volatile.Read(ref _scriptsLoaded))
        {
            // Loaded up front, so the batch below runs by SHA in order. A NOSCRIPT answer falls back to EVAL for that
            // command, which then runs after its successors: harmless for the state (the version guard holds) but
            // worth avoiding, so the next batch loads the scripts again.
            await LoadScriptsAsync();
            loadTrips = 1;
        }

        // Issued back to back without awaiting in between: the multiplexer pipelines them into one round trip.
        var writes = new Task<RedisResult>[batch.Count];
        var indexed = new string[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            indexed[i] = string.Join('\n', batch[i].Identifiers ?? []);
            writes[i] = Evaluate(database, CompareAndSet, Keys.Context(batch[i].ContextId), Arguments(batch[i], indexed[i]));
        }

        var removals = new Task<RedisResult>[deletions.Count];
        for (var i = 0; i < deletions.Count; i++)
        {
            removals[i] = Evaluate(database, Remove, Keys.Context(deletions[i]), []);
        }

        var written = 0;
        var replaced = 0;
        var otherLineage = 0;
        var presence = new List<Task>();
        var presenceSets = new List<Task<RedisResult>>();
        for (var i = 0; i < batch.Count; i++)
        {
            var result = (RedisResult[])(await writes[i])!;
            if ((int)result[0] == 0)
            {
                continue;
            }

            written++;
            replaced += (int)result[3];
            otherLineage += (int)result[4];
            var document = batch[i];
            var before = (string?)result[1] ?? string.Empty;
            // Identifiers change rarely: most writes find the same list and touch no index key.
            if ((string?)result[2] != indexed[i])
            {
                Reindex(database, document.ContextId, IndexedBefore(result[2]), document.Identifiers ?? [], document.Ttl, presence);
            }

            if (before.Length > 0 && before != document.Presence?.StoreId)
            {
                presence.Add(Evaluate(database, PresenceRemove, Keys.Presence(before), [document.ContextId]));
            }

            if (document.Presence is { } now)
            {
                presenceSets.Add(Evaluate(database, PresenceSet, Keys.Presence(now.StoreId), [document.ContextId, PresenceJson(now, document.Version)]));
            }
        }

        for (var i = 0; i < deletions.Count; i++)
        {
            var result = (RedisResult[])(await removals[i])!;
            var before = (string?)result[0] ?? string.Empty;
            if (before.Length > 0)
            {
                presence.Add(Evaluate(database, PresenceRemove, Keys.Presence(before), [deletions[i]]));
            }

            Reindex(database, deletions[i], IndexedBefore(result[1]), [], null, presence);
        }

        await Task.WhenAll(presence);
        foreach (var set in presenceSets)
        {
            replaced += (int)await set;
        }

        var secondTrip = presence.Count > 0 || presenceSets.Count > 0;
        return new WriteResult(written, batch.Count - written, deletions.Count, (secondTrip ? 2 : 1) + loadTrips, replaced, otherLineage);
    }

    /// <summary>The known customer <paramref name="identifier"/> is linked to, or null.</summary>
    public async Task<string?> ReadCustomerOfAsync(string identifier) =>
        await AbsentIfForeign(redis.GetDatabase().StringGetAsync(Keys.Identifier(identifier)), RedisValue.Null) is { IsNull: false } value ? (string?)value : null;

    public async Task<string?> ReadJsonAsync(string contextId) =>
        await AbsentIfForeign(redis.GetDatabase().HashGetAsync(Keys.Context(contextId), "json"), RedisValue.Null) is { IsNull: false } value ? (string?)value : null;

    /// <summary>
    /// The version Redis holds for a context; null when it holds none, one that is not a number (not written by us), or
    /// one written from another lineage than this writer's (the next write replaces each of those).
    /// </summary>
    public async Task<long?> ReadVersionAsync(string contextId)
    {
        var fields = await AbsentIfForeign(redis.GetDatabase().HashGetAsync(Keys.Context(contextId), VersionAndLineage), []);
        return fields is [{ IsNull: false } value, var recorded] && value.TryParse(out long version) && (lineage.Length == 0 || recorded == lineage) ? version : null;
    }

    /// <summary>
    /// The versions Redis holds for <paramref name="contextIds"/>, in their order, the reads pipelined: null for a
    /// context it lacks, holds as another program's value, holds with a version that is not a number, or holds from
    /// another lineage (the next write replaces each of those).
    /// </summary>
    public async Task<IReadOnlyList<long?>> ReadVersionsAsync(IReadOnlyList<string> contextIds)
    {
        ArgumentNullException.ThrowIfNull(contextIds);
        return await Task.WhenAll(contextIds.Select(ReadVersionAsync)).ConfigureAwait(false);
    }

    /// <summary>Who is in a store now, by customer id: zone and since when (an entry that cannot be read counts with neither).</summary>
    public async Task<IReadOnlyDictionary<string, StorePresence>> ReadPresenceAsync(string storeId) =>
        (await AbsentIfForeign(redis.GetDatabase().HashGetAllAsync(Keys.Presence(storeId)), []))
            .ToDictionary(e => (string)e.Name!, e => ParsePresence(storeId, (string?)e.Value), StringComparer.Ordinal);

    /// <summary>How many customers are in a store now.</summary>
    public async Task<long> CountPresentAsync(string storeId) => await AbsentIfForeign(redis.GetDatabase().HashLengthAsync(Keys.Presence(storeId)), 0L);

    /// <summary>How many customers are in each store now, in the order given; the requests go out together.</summary>
    public async Task<IReadOnlyList<long>> CountPresentAsync(IEnumerable<string> storeIds) =>
        await Task.WhenAll(storeIds.Select(CountPresentAsync));

    /// <summary>A key of the view holding a value of another type reads as absent; the next write replaces it.</summary>
    private static async Task<T> AbsentIfForeign<T>(Task<T> read, T absent)
    {
        try
        {
            return await read;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            return absent;
        }
    }

    private static string PresenceJson(StorePresence presence, long version) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"zone":{{(presence.ZoneId is null ? "null" : System.Text.Json.JsonSerializer.Serialize(presence.ZoneId))}},"since":{{presence.SinceMs}},"v":{{version}}}""");

    /// <summary>Reads what <see cref="PresenceJson"/> wrote.</summary>
    private static StorePresence ParsePresence(string storeId, string? json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json ?? "{}");
            var root = document.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return new StorePresence(storeId, null, -1);
            }

            var zone = root.TryGetProperty("zone", out var z) && z.ValueKind == System.Text.Json.JsonValueKind.String ? z.GetString() : null;
            // TryGetInt64 throws on an element that is not a number at all (someone else's text).
            var since = root.TryGetProperty("since", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.Number && t.TryGetInt64(out var ms) ? ms : -1;
            return new StorePresence(storeId, zone, since);
        }
        catch (System.Text.Json.JsonException)
        {
            return new StorePresence(storeId, null, -1);
        }
    }

    private RedisValue[] Arguments(ContextDocument document, string indexedIdentifiers) =>
        [
            document.Version, document.Json, ((long)(document.Ttl?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture), document.Presence?.StoreId ?? string.Empty,
            indexedIdentifiers, lineage,
        ];

    private static string[] IndexedBefore(RedisResult value) => ((string?)value ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Points identifiers the context gained at it, and removes those it lost (when still pointing at it).</summary>
    private void Reindex(IDatabase database, string contextId, string[] before, IReadOnlyList<string> now, TimeSpan? ttl, List<Task> pending)
    {
        foreach (var identifier in now)
        {
            if (Array.IndexOf(before, identifier) < 0)
            {
                pending.Add(database.StringSetAsync(Keys.Identifier(identifier), contextId, ttl is { } expiry ? new Expiration(expiry) : Expiration.Default));
            }
        }

        foreach (var identifier in before)
        {
            if (!now.Contains(identifier, StringComparer.Ordinal))
            {
                pending.Add(Evaluate(database, Unindex, Keys.Identifier(identifier), [contextId]));
            }
        }
    }

    private async Task LoadScriptsAsync()
    {
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await server.ScriptLoadAsync(CompareAndSet.Source);
            await server.ScriptLoadAsync(Remove.Source);
            await server.ScriptLoadAsync(Unindex.Source);
            await server.ScriptLoadAsync(PresenceSet.Source);
            await server.ScriptLoadAsync(PresenceRemove.Source);
        }

        Volatile.Write(ref _scriptsLoaded, true);
    }

    private async Task<RedisResult> Evaluate(IDatabase database, Script script, RedisKey key, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(script.Sha1, [key], args);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The server lost its script cache (restart, failover, SCRIPT FLUSH): EVAL sends the source and caches it.
            Volatile.Write(ref _scriptsLoaded, false);
            return await database.ScriptEvaluateAsync(script.Source, [key], args);
        }
    }

    /// <summary>A Lua script and its SHA-1, the name Redis caches it under (an identifier, not a security measure).</summary>
    internal sealed class Script(string source)
    {
        public string Source { get; } = source;

#pragma warning disable CA5350
        public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(source));
#pragma warning restore CA5350
    }
}
