using System.Text;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Schemas.Tests.Registry;

/// <summary>Our interface on Confluent's client, against a scripted registry over a real socket.</summary>
public sealed class SchemaRegistryClientTests
{
    [Theory]
    [InlineData(404, 40401)]
    [InlineData(404, 40403)]
    [InlineData(409, 409)]
    [InlineData(422, 42201)]
    [InlineData(401, 40101)]
    public async Task A_registry_error_keeps_its_code_and_is_permanent(int status, int code)
    {
        using var server = new ScriptedRegistryServer((status, $$"""{"error_code":{{code}},"message":"nope"}"""));
        using var client = Client(server.Url);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetLatestAsync("s", TestContext.Current.CancellationToken));

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(status, error.HttpStatus);
        Assert.False(error.IsTransient);
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_an_answer_comes()
    {
        using var server = new ScriptedRegistryServer((503, """{"error_code":50003,"message":"busy"}"""), (500, """{"error_code":50001,"message":"store"}"""), (200, """{"id":7}"""));
        using var client = Client(server.Url);

        var id = await client.RegisterAsync("s", "\"string\"", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(7, id);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_registry_that_keeps_failing_gives_a_transient_error_after_the_retries()
    {
        using var server = new ScriptedRegistryServer((503, """{"error_code":50003,"message":"busy"}"""));
        using var client = Client(server.Url, maxRetries: 2);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterAsync("s", "\"string\"", cancellationToken: TestContext.Current.CancellationToken));

        Assert.True(error.IsTransient);
        Assert.Equal(503, error.HttpStatus);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task An_unreachable_registry_is_a_transient_error()
    {
        using var client = Client($"http://127.0.0.1:{Customer360.Streaming.Testing.FreePort.Next()}", maxRetries: 0);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetSchemaAsync(1, TestContext.Current.CancellationToken));

        Assert.True(error.IsTransient);
        Assert.Equal(SchemaRegistryException.Codes.Unreachable, error.ErrorCode);
    }

    [Fact]
    public async Task When_the_first_url_is_down_the_next_one_answers()
    {
        using var server = new ScriptedRegistryServer((200, """{"schema":"\"string\""}"""));
        using var client = Client($"http://127.0.0.1:{Customer360.Streaming.Testing.FreePort.Next()},{server.Url}");

        Assert.Equal("\"string\"", await client.GetSchemaAsync(3, TestContext.Current.CancellationToken));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Basic_auth_goes_with_every_request_and_ids_are_cached()
    {
        using var server = new ScriptedRegistryServer((200, """{"schema":"\"long\""}"""));
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = server.Url, BasicAuthUserInfo = "svc:secret" });

        await client.GetSchemaAsync(5, TestContext.Current.CancellationToken);
        Assert.Equal("\"long\"", await client.GetSchemaAsync(5, TestContext.Current.CancellationToken));

        var request = Assert.Single(server.Requests);
        Assert.StartsWith("/schemas/ids/5", request.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("svc:secret", Encoding.UTF8.GetString(Convert.FromBase64String(request.Authorization!["Basic ".Length..])));
    }

    [Fact]
    public async Task An_incompatible_schema_comes_with_the_registrys_reasons()
    {
        using var server = new ScriptedRegistryServer(
            (200, """{"is_compatible":false}"""),
            (200, """{"is_compatible":false,"messages":["READER_FIELD_MISSING_DEFAULT_VALUE: store"]}"""));
        using var client = Client(server.Url);

        var result = await client.TestCompatibilityAsync("s", "\"string\"", TestContext.Current.CancellationToken);

        Assert.False(result.IsCompatible);
        Assert.Equal(["READER_FIELD_MISSING_DEFAULT_VALUE: store"], result.Messages);
        Assert.Contains("verbose=true", server.Requests[^1].PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subject_without_a_level_of_its_own_follows_the_global_level()
    {
        using var server = new ScriptedRegistryServer(
            (404, """{"error_code":40408,"message":"Subject 's' does not have subject-level compatibility configured"}"""),
            (200, """{"compatibilityLevel":"FULL_TRANSITIVE"}"""));
        using var client = Client(server.Url);

        Assert.Equal(CompatibilityLevel.FullTransitive, await client.GetCompatibilityAsync("s", TestContext.Current.CancellationToken));
        Assert.Equal("/config", server.Requests[^1].PathAndQuery.Split('?')[0]);
    }

    private static SchemaRegistryClient Client(string url, int maxRetries = 3) =>
        new(new SchemaRegistryOptions { Url = url, MaxRetries = maxRetries, RetryBackoffMs = 1, RetryBackoffMaxMs = 2, RequestTimeoutMs = 5_000 });
}
