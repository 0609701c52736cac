using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// <c>c360 context rebuild</c> and <c>get</c> as separate processes when Redis does not answer, refuses the
/// credentials or refuses a command: they say which, and report nothing as compared.
/// </summary>
public sealed class ContextRebuildOutageTests(KafkaFixture kafka, RedisServerFixture redis)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_rebuild_with_Redis_not_answering_fails_instead_of_reporting_Redis_equal_to_Kafka(bool dryRun)
    {
        // With empty changelogs it read nothing from Redis, skipped the servers it was not connected to while looking
        // for contexts only in Redis, and reported "identical in Redis: 0; differing keys: 0" with exit code 0.
        var names = new UniqueNames(nameof(A_rebuild_with_Redis_not_answering_fails_instead_of_reporting_Redis_equal_to_Kafka) + dryRun);
        var applicationId = names.Group("rebuild");
        foreach (var store in ProductTopics.ContextStores)
        {
            await kafka.CreateTopicAsync(StreamTopology.ChangelogTopicOf(applicationId, store), 2);
        }

        string[] arguments =
        [
            "context", "rebuild", "--bootstrap-servers", kafka.BootstrapServers, "--application-id", applicationId,
            "--redis", $"127.0.0.1:{FreePort.Next()},connectTimeout=1000", .. dryRun ? ["--dry-run"] : Array.Empty<string>(),
        ];
        using var rebuild = C360Program.Start(arguments);

        Assert.True(await rebuild.WaitForExitAsync(TimeSpan.FromSeconds(90)), "did not exit");
        Assert.True(rebuild.ExitCode == 1, rebuild.AllOutput);
        Assert.Contains(rebuild.StandardError, l => l.StartsWith("rebuild failed: Redis", StringComparison.Ordinal));
        Assert.DoesNotContain("identical in Redis", rebuild.AllOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_Redis_refuses_are_named_as_such_without_the_password()
    {
        // Both said Redis was not reachable ("RedisConnectionException", "does not answer at …") when it answered and
        // refused the login, which sent the user looking for a network problem.
        redis.SkipUnlessAvailable();
        await using var guarded = await RedisServerFixture.StartRequiringPasswordAsync("the-right-one");
        const string Password = "pw-4f1d-never-shown";
        var login = $"{guarded.ConnectionString},password={Password}";
        var applicationId = new UniqueNames(nameof(Credentials_Redis_refuses_are_named_as_such_without_the_password)).Group("rebuild");
        foreach (var store in ProductTopics.ContextStores)
        {
            await kafka.CreateTopicAsync(StreamTopology.ChangelogTopicOf(applicationId, store), 2);
        }

        using var get = await ChildProcess.RunAsync("dotnet", [RepositoryLayout.C360Dll, "context", "get", "c-1", "--redis", login], TimeSpan.FromSeconds(60));
        using var rebuild = await ChildProcess.RunAsync(
            "dotnet",
            [RepositoryLayout.C360Dll, "context", "rebuild", "--bootstrap-servers", kafka.BootstrapServers, "--application-id", applicationId, "--redis", login, "--dry-run"],
            TimeSpan.FromSeconds(90));

        foreach (var tool in new[] { get, rebuild })
        {
            Assert.True(tool.ExitCode == 1, tool.AllOutput);
            Assert.Contains(tool.StandardError, l => l.Contains("Redis refused the login (AuthenticationFailure): check --redis (user, password)", StringComparison.Ordinal));
            Assert.DoesNotContain(Password, tool.AllOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_command_Redis_refuses_for_the_users_ACL_is_named_as_a_refusal_not_an_unreachable_Redis()
    {
        // Redis answered NOPERM, and the tool said it was not reachable, sending the user to check the address and TLS.
        redis.SkipUnlessAvailable();
        var user = $"c360-no-read-{Guid.NewGuid():N}";
        const string Password = "pw-9c2e-never-shown";
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        await server.ExecuteAsync("ACL", "SETUSER", user, "on", ">" + Password, "~*", "+@all", "-@read");
        try
        {
            using var get = await ChildProcess.RunAsync(
                "dotnet", [RepositoryLayout.C360Dll, "context", "get", "c-1", "--redis", $"{redis.ConnectionString},user={user},password={Password}"], TimeSpan.FromSeconds(60));

            Assert.True(get.ExitCode == 1, get.AllOutput);
            Assert.Contains(get.StandardError, l => l.Contains("Redis refused the command (RedisServerException NOPERM: this Redis user's ACL refuses a command it needs)", StringComparison.Ordinal));
            Assert.DoesNotContain("not reachable", get.AllOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, get.AllOutput, StringComparison.Ordinal);
        }
        finally
        {
            await server.ExecuteAsync("ACL", "DELUSER", user);
        }
    }
}
