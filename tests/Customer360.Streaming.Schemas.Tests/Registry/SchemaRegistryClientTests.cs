using System.Net;
using System.Text;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Schemas.Tests.Registry;

public sealed class SchemaRegistryClientTests
{
    [Theory]
    [InlineData(404, 40401)]
    [InlineData(404, 40402)]
    [InlineData(404, 40403)]
    [InlineData(409, 409)]
    [InlineData(422, 42201)]
    public async Task Request_RegistryError_IsMappedToItsErrorCodeAndNotRetried(int status, int code)
    {
        var handler = new ScriptedHandler((status, $$"""{"error_code":{{code}},"message":"nope"}"""));
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetLatestAsync("s", TestContext.Current.CancellationToken));

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(status, error.HttpStatus);
        Assert.False(error.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Request_ServerErrorsThenSuccess_RetriesAndSucceeds()
    {
        var handler = new ScriptedHandler((503, "busy"), (500, """{"error_code":50001,"message":"store"}"""), (200, """{"id":7}"""));
        using var client = Client(handler);

        var id = await client.RegisterAsync("s", "\"string\"", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(7, id);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Request_ServerKeepsFailing_GivesUpAfterMaxRetriesAsTransient()
    {
        var handler = new ScriptedHandler((503, "busy"), (503, "busy"), (503, "busy"), (503, "busy"), (200, """{"id":7}"""));
        using var client = Client(handler, maxRetries: 2);

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterAsync("s", "\"string\"", cancellationToken: TestContext.Current.CancellationToken));

        Assert.True(error.IsTransient);
        Assert.Equal(503, error.HttpStatus);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Request_FirstUrlUnreachable_FailsOverToTheNextUrl()
    {
        var handler = new ScriptedHandler((200, """{"schema":"\"string\""}""")) { RefuseHost = "first.example" };
        using var client = Client(handler, url: "http://first.example:8081,http://second.example:8081");

        Assert.Equal("\"string\"", await client.GetSchemaAsync(3, TestContext.Current.CancellationToken));
        Assert.Equal("second.example", handler.Requests[^1].RequestUri!.Host);
    }

    [Fact]
    public async Task Request_SendsRegistryContentTypeAndBasicAuth()
    {
        var handler = new ScriptedHandler((200, """{"id":1}"""));
        using var client = Client(handler, userInfo: "svc:secret");

        await client.RegisterAsync("orders value", "\"string\"", cancellationToken: TestContext.Current.CancellationToken);

        var request = handler.Requests.Single();
        Assert.Equal("/subjects/orders%20value/versions", request.RequestUri!.AbsolutePath.Replace("%2520", "%20", StringComparison.Ordinal));
        Assert.Equal(SchemaRegistryClient.ContentType, handler.ContentTypes.Single());
        Assert.Equal("Basic", request.Headers.Authorization!.Scheme);
        Assert.Equal("svc:secret", Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.Parameter!)));
    }

    [Fact]
    public async Task GetSchema_SecondCallForTheSameId_IsServedFromCache()
    {
        var handler = new ScriptedHandler((200, """{"schema":"\"long\""}"""));
        using var client = Client(handler);

        await client.GetSchemaAsync(5, TestContext.Current.CancellationToken);
        var again = await client.GetSchemaAsync(5, TestContext.Current.CancellationToken);

        Assert.Equal("\"long\"", again);
        Assert.Single(handler.Requests);
    }

    private static SchemaRegistryClient Client(ScriptedHandler handler, int maxRetries = 3, string url = "http://registry.example:8081", string? userInfo = null) =>
        new(new SchemaRegistryOptions { Url = url, MaxRetries = maxRetries, RetryBackoffMs = 1, RetryBackoffMaxMs = 2, BasicAuthUserInfo = userInfo }, handler: handler);

    private sealed class ScriptedHandler(params (int Status, string Body)[] responses) : HttpMessageHandler
    {
        private int _next;

        public List<HttpRequestMessage> Requests { get; } = [];

        public List<string?> ContentTypes { get; } = [];

        public string? RefuseHost { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            if (request.RequestUri!.Host == RefuseHost)
            {
                throw new HttpRequestException("connection refused");
            }

            if (request.Content is not null)
            {
                ContentTypes.Add(request.Content.Headers.ContentType?.MediaType);
                await request.Content.ReadAsStringAsync(cancellationToken);
            }

            var (status, body) = responses[Math.Min(_next++, responses.Length - 1)];
            return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body) };
        }
    }
}
