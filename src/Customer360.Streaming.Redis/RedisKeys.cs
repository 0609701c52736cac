namespace Customer360.Streaming.Redis;

/// <summary>
/// The key layout. Every key of a customer shares the hash tag <c>{customerId}</c>, so on Redis Cluster they live in
/// one slot and can be written together.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    /// <summary><c>&lt;prefix&gt;:{&lt;contextId&gt;}:context</c> — hash with fields <c>v</c> (version) and <c>json</c>.</summary>
    public string Context(string contextId) => $"{prefix}:{{{contextId}}}:context";
}
