using Customer360.Streaming.Domain;
using Customer360.Streaming.Redis;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary><c>GET /customers/{id}/context</c>: the context document as Redis holds it (what <c>c360 context get</c> prints).</summary>
internal static class ContextEndpoint
{
    public static async Task<IResult> GetAsync(string id, RedisConnectionService redis, IOptions<RedisOptions> options)
    {
        if (EntityIds.Problem(id) is { } problem)
        {
            return Results.BadRequest(new { error = $"the customer id {problem}" });
        }

        if (redis.Connection is not { IsConnected: true } connection)
        {
            return Results.Problem("Redis is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            var json = await new RedisContextWriter(connection, new RedisKeys(options.Value.KeyPrefix)).ReadJsonAsync(id);
            return json is null
                ? Results.NotFound(new { error = "no context for this customer" })
                : Results.Text(json, "application/json");
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            return Results.Problem("Redis is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
