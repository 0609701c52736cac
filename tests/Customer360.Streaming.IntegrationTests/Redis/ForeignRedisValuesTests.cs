using System.Net;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.IntegrationTests.Context;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// The Redis view's keys are the processor's, but Redis does not stop another program (or a person with redis-cli)
/// from writing there. One key holding a value of another type failed every batch with WRONGTYPE and the stream
/// thread with it, until the processor stopped, and so did a context hash whose version is not a number; a context
/// document that is not JSON made its customer's page a 500, and <c>/customers/{id}/context</c> served it as a 200.
/// </summary>
public sealed class ForeignRedisValuesTests(RedisServerFixture redis, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task Values_of_another_type_in_the_view_are_replaced_and_the_processor_and_its_pages_go_on()
    {
        redis.SkipUnlessAvailable();
        await using var run = await ProcessorOnItsOwnCluster.StartAsync(nameof(ForeignRedisValuesTests), partitions: 1, redis, registry);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();
        var keys = run.Redis.Keys;
        await database.StringSetAsync(keys.Context("c-1"), "written by someone else");
        await database.HashSetAsync(keys.Context("c-2"), [new HashEntry("v", 1), new HashEntry("json", "{not a context")]);
        await database.HashSetAsync(keys.Context("c-3"), [new HashEntry("v", "edited by hand")]);
        await database.ListRightPushAsync(keys.Presence("berlin-mitte"), "written by someone else");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

        using var processor = run.StartProcessor();
        Assert.True(await run.WaitForReadyAsync(processor), "never ready: " + processor.AllOutput);
        foreach (var customer in new[] { "c-1", "c-3" })
        {
            await run.Input.ValidAsync(run.Topics.Relationship, customer, Profile(customer, now));
        }

        var contexts = await run.WaitForContextsAsync(["c-1", "c-3"], c => c.Relationship?.Tier == "GOLD", TimeSpan.FromMinutes(1));

        Assert.True(contexts.Count == 2, $"{contexts.Count} of 2 contexts reached Redis: " + processor.AllOutput);
        Assert.False(processor.HasExited, "the processor stopped: " + processor.AllOutput);
        Assert.Contains("held a value of another type (not written by this processor) and were replaced", processor.AllOutput, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = run.BaseAddress };
        using var unreadable = await http.GetAsync(new Uri("/customers/c-2", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, unreadable.StatusCode);
        Assert.Contains("is not a context document", await unreadable.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        // The document as Redis holds it is served unparsed; one that is not JSON is an error, not a 200 of garbage.
        using var unreadableDocument = await http.GetAsync(new Uri("/customers/c-2/context", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadGateway, unreadableDocument.StatusCode);
        Assert.Contains("is not a context document", await unreadableDocument.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var storeFloor = await http.GetAsync(new Uri("/stores/berlin-mitte", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, storeFloor.StatusCode);
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Context_get_of_a_document_that_is_not_JSON_says_so_as_the_context_endpoint_does(bool pretty)
    {
        // It printed the text as the context with exit code 0, and with --pretty ended with an unhandled JsonReaderException.
        redis.SkipUnlessAvailable();
        var prefix = $"t{Guid.NewGuid():N}"[..20];
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await connection.GetDatabase().HashSetAsync(new Customer360.Streaming.Redis.RedisKeys(prefix).Context("c-2"), [new HashEntry("v", 1), new HashEntry("json", "{not a context")]);

        using var get = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "context", "get", "c-2", "--redis", redis.ConnectionString, "--key-prefix", prefix, .. pretty ? ["--pretty"] : Array.Empty<string>()],
            TimeSpan.FromSeconds(60));

        Assert.True(get.ExitCode == 1, get.AllOutput);
        Assert.Contains(get.StandardError, l => l.Contains("is not a context document", StringComparison.Ordinal));
        Assert.DoesNotContain("{not a context", get.AllOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", get.AllOutput, StringComparison.Ordinal);
    }

    private static RelationshipProfile Profile(string customer, long t) =>
        new(Guid.NewGuid(), t, "relationship", customer, "GOLD", "families", 1234.50m, 0.2, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: true), null, "Europe/Berlin", "de-DE");
}
