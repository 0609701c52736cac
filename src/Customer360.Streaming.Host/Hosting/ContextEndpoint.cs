using System.Text.Json;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Host.Web;
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
            return json switch
            {
                null => Results.NotFound(new { error = "no context for this customer" }),
                _ when !IsContextDocument(json) => Results.Problem(PageData.NotAContext, statusCode: StatusCodes.Status502BadGateway),
                _ => Results.Text(json, "application/json"),
            };
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            return Results.Problem("Redis is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// Whether <paramref name="text"/> is one JSON object: the stored text is served (and <c>c360 context get</c> prints
    /// it) as it is, but never when it is not JSON.
    /// </summary>
    internal static bool IsContextDocument(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
