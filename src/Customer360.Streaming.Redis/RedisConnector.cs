using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>Opens the one shared <see cref="ConnectionMultiplexer"/> of a process.</summary>
public static class RedisConnector
{
    /// <summary>
    /// Parses the connection string (a malformed one fails here, naming the option) and connects without aborting
    /// when Redis is not up yet: the multiplexer keeps reconnecting and readiness reports the outage.
    /// </summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            // The parse error may echo the string, which can hold a password: keep only its kind.
            throw new ArgumentException(
                $"Redis:ConnectionString is not a valid Redis configuration string ({ex.GetType().Name}).", nameof(options));
        }

        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = options.ConnectTimeoutMs;
        configuration.ClientName = "c360";
        return ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
