using System.Net;
using Customer360.Streaming.Schemas.Registry;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;

namespace Customer360.Streaming.Schemas.Tests.Registry;

/// <summary>Each failure of Confluent's client, as the kind that decides whether a partition retries or dead-letters.</summary>
public sealed class RegistryErrorsTests
{
    [Theory]
    [InlineData(404, 40401, false)]
    [InlineData(404, 40402, false)]
    [InlineData(404, 40403, false)]
    [InlineData(409, 409, false)]
    [InlineData(422, 42201, false)]
    [InlineData(401, 40101, false)]
    [InlineData(403, 40301, false)]
    [InlineData(429, 429, true)]
    [InlineData(500, 50001, true)]
    [InlineData(502, 502, true)]
    [InlineData(503, 50003, true)]
    public void An_answered_error_keeps_status_and_code_and_is_transient_only_for_5xx_and_429(int status, int code, bool transient)
    {
        var mapped = RegistryErrors.Map(new ConfluentRegistryException("nope", (HttpStatusCode)status, code));

        Assert.NotNull(mapped);
        Assert.Equal(status, mapped.HttpStatus);
        Assert.Equal(code, mapped.ErrorCode);
        Assert.Equal(transient, mapped.IsTransient);
    }

    [Fact]
    public void No_answer_at_all_is_transient()
    {
        var refused = RegistryErrors.Map(new HttpRequestException("connection refused"));
        var timedOut = RegistryErrors.Map(new TaskCanceledException("timeout"));

        Assert.True(refused!.IsTransient);
        Assert.Equal(SchemaRegistryException.Codes.Unreachable, refused.ErrorCode);
        Assert.True(timedOut!.IsTransient);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    public void An_http_status_without_a_registry_body_keeps_its_kind(HttpStatusCode status, bool transient)
    {
        var mapped = RegistryErrors.Map(new HttpRequestException("proxy page", null, status));

        Assert.Equal((int)status, mapped!.HttpStatus);
        Assert.Equal(transient, mapped.IsTransient);
    }

    [Fact]
    public void A_bug_is_not_a_registry_error()
    {
        Assert.Null(RegistryErrors.Map(new InvalidOperationException("bug")));
        Assert.Null(RegistryErrors.Map(new OperationCanceledException()));
    }
}
