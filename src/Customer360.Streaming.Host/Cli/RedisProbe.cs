using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Redis;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Asks Redis for a PING before a verb starts anything that needs it. The demo's live view and summary read Redis: without
/// this, an unreachable Redis surfaced as a stack trace after the embedded broker and the processor had started.
/// </summary>
internal static class RedisProbe
{
    private const int ConnectTimeoutMs = 3_000;

    /// <summary>
    /// Why Redis cannot be used, in one line that names only its addresses (the string may hold a password), with the
    /// exit code that says whose the problem is; null when it answers.
    /// </summary>
    public static async Task<(string Message, int ExitCode)?> ProblemAsync(string connectionString, string clientName)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The parse error may echo the string: keep only its kind.
            return ($"--redis is not a valid Redis configuration string ({ex.GetType().Name}).", ExitCodes.InvalidConfiguration);
        }

        var addresses = string.Join(",", configuration.EndPoints.Select(EndPointCollection.ToString));
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = ConnectTimeoutMs;
        configuration.ClientName = clientName;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            await connection.GetDatabase().PingAsync();
            return null;
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            return ($"Redis at {addresses} did not answer ({ex.GetType().Name}): start a redis-server there, or run ./scripts/demo.sh, which starts one.", ExitCodes.RuntimeFailure);
        }
    }
}
