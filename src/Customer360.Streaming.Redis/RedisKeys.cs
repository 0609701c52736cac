namespace Customer360.Streaming.Redis;

/// <summary>
/// The key layout. Every key of a customer shares the hash tag <c>{customerId}</c>, and every key of a store the tag
/// <c>{store:storeId}</c>, so on Redis Cluster each lives in one slot and a script touches one slot only.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>
    /// <c>&lt;prefix&gt;:{&lt;contextId&gt;}:context</c> — hash: <c>v</c> (version), <c>json</c> (document), <c>store</c>
    /// (present in), <c>ids</c> (the identifiers indexed under <see cref="Identifier"/>, one per line).
    /// </summary>
    public string Context(string contextId) => $"{Prefix}:{{{contextId}}}:context";

    /// <summary><c>&lt;prefix&gt;:{store:&lt;storeId&gt;}:presence</c> — hash: customer id → <c>{"zone","since","v"}</c>.</summary>
    public string Presence(string storeId) => $"{Prefix}:{{store:{storeId}}}:presence";

    /// <summary>
    /// <c>&lt;prefix&gt;:{id:&lt;identifier&gt;}:customer</c> — string: the known customer an identifier is linked to,
    /// so a search by <c>web:…</c>, <c>device:…</c> or <c>app:…</c> finds the customer.
    /// </summary>
    public string Identifier(string identifier) => $"{Prefix}:{{id:{identifier}}}:customer";

    /// <summary>The context id in a key <see cref="Context"/> made, or null for any other key.</summary>
    public string? ContextIdOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var start = Prefix.Length + 2;
        const string Suffix = "}:context";
        return key.Length > start + Suffix.Length && key.StartsWith($"{Prefix}:{{", StringComparison.Ordinal) && key.EndsWith(Suffix, StringComparison.Ordinal)
            ? key[start..^Suffix.Length]
            : null;
    }

    /// <summary>Pattern matching every context key of this prefix (for scans by tools, never on the hot path).</summary>
    public string ContextPattern => $"{Prefix}:{{*}}:context";
}
