using System.CommandLine;
using System.Text.Json;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 context get|rebuild</c>: read a customer's live context from Redis; rebuild Redis from Kafka.</summary>
internal static class ContextCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create() => new("context", "The live customer context in Redis.") { Get(), Rebuild() };

    private static Command Get()
    {
        var id = new Argument<string>("customerId") { Description = "Customer id, or anon:<identifier> for an anonymous context." };
        id.Validators.Add(result =>
        {
            if (Domain.EntityIds.Problem(result.GetValueOrDefault<string>()) is { } problem)
            {
                result.AddError($"customerId {problem}.");
            }
        });
        var pretty = new Option<bool>("--pretty") { Description = "Indent the JSON." };
        var redis = RedisOption();
        var prefix = PrefixOption();
        var command = new Command("get", "Print a context as JSON, as Redis holds it (exit 1 when there is none).") { id, pretty, redis, prefix };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryRedis(parse.GetValue(redis), parse.GetValue(prefix), out var options))
            {
                return ExitCodes.InvalidConfiguration;
            }

            await using var connection = await RedisConnector.ConnectAsync(options);
            try
            {
                var json = await new RedisContextWriter(connection, new RedisKeys(options.KeyPrefix)).ReadJsonAsync(parse.GetValue(id)!);
                if (json is null)
                {
                    await Console.Error.WriteLineAsync("no context for this id");
                    return ExitCodes.RuntimeFailure;
                }

                if (!ContextEndpoint.IsContextDocument(json))
                {
                    await Console.Error.WriteLineAsync(PageData.NotAContext);
                    return ExitCodes.RuntimeFailure;
                }

                await Console.Out.WriteLineAsync(parse.GetValue(pretty)
                    ? JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented)
                    : json);
                return ExitCodes.Success;
            }
            catch (Exception ex) when (RedisOutage.Is(ex))
            {
                await Console.Error.WriteLineAsync(RedisProblem(ex));
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }

    private static Command Rebuild()
    {
        var bootstrap = CommonOptions.BootstrapServers();
        var applicationId = CommonOptions.ApplicationId("Application id whose changelogs to read");
        var dryRun = new Option<bool>("--dry-run") { Description = "Compare and report only; change nothing in Redis." };
        var force = new Option<bool>("--force")
        {
            Description = "Delete contexts found only in Redis even when a changelog was truncated (the broker deleted records that may have held them).",
        };
        var ttlHours = new Option<int>("--anonymous-ttl-hours") { Description = "Expiry of rewritten anonymous contexts.", DefaultValueFactory = _ => 168 };
        ttlHours.Validators.Add(r => CommonOptions.RequireRange(r, "--anonymous-ttl-hours", 1, 87_600));
        var redis = RedisOption();
        var prefix = PrefixOption();
        var command = new Command("rebuild", "Replay the context changelogs from Kafka, report how many Redis keys differ, and make Redis equal to Kafka.")
        {
            bootstrap, applicationId, dryRun, force, ttlHours, redis, prefix,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CommonOptions.TryBootstrapServers(parse.GetValue(bootstrap), out var servers))
            {
                return ExitCodes.InvalidConfiguration;
            }

            if (!TryRedis(parse.GetValue(redis), parse.GetValue(prefix), out var options)
                || !CommonOptions.TryKafkaOptions(servers, parse.GetValue(applicationId), out var kafka))
            {
                return ExitCodes.InvalidConfiguration;
            }

            await using var connection = await RedisConnector.ConnectAsync(options);
            try
            {
                // Before the changelogs are read, which takes a while: a Redis that cannot be used fails the rebuild anyway.
                await connection.GetDatabase().PingAsync();
            }
            catch (Exception ex) when (RedisOutage.Is(ex))
            {
                await Console.Error.WriteLineAsync($"rebuild failed: {RedisProblem(ex)}");
                return ExitCodes.RuntimeFailure;
            }

            try
            {
                var report = await ContextRebuild.RunAsync(
                    kafka, connection, new RedisKeys(options.KeyPrefix), TimeSpan.FromHours(parse.GetValue(ttlHours)), parse.GetValue(dryRun),
                    line => Console.Out.WriteLine($"[rebuild] {line}"), cancellationToken, parse.GetValue(force));
                await Console.Out.WriteLineAsync(
                    $"contexts in Kafka: {report.InKafka}; identical in Redis: {report.Same}; differing keys: {report.Differing} " +
                    $"(different {report.Different}, missing {report.Missing}, only in Redis {report.Extra}{(report.ExtraKept ? ", kept" : string.Empty)})"
                    + (report.TruncatedPartitions > 0 ? $"; truncated changelog partitions: {report.TruncatedPartitions}" : string.Empty)
                    + (report.PassedOver > 0 ? $"; changelog records passed over: {report.PassedOver}" : string.Empty)
                    + (parse.GetValue(dryRun) ? " - dry run, nothing changed" : string.Empty));
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is InvalidOperationException or Confluent.Kafka.KafkaException || RedisOutage.Is(ex))
            {
                await Console.Error.WriteLineAsync($"rebuild failed: {KafkaFailure.Describe(ex, servers)}");
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }

    /// <summary>
    /// What the tools print when Redis cannot be used: a refused login or command is not a network problem. Never the
    /// password, nor the server's text.
    /// </summary>
    private static string RedisProblem(Exception error) => error switch
    {
        _ when RedisOutage.ConnectionFailure(error) == StackExchange.Redis.ConnectionFailureType.AuthenticationFailure =>
            "Redis refused the login (AuthenticationFailure): check --redis (user, password)",
        StackExchange.Redis.RedisServerException =>
            $"Redis refused the command ({RedisOutage.Describe(error)})",
        _ => $"Redis is not reachable ({RedisOutage.Describe(error)}): check --redis (address, TLS)",
    };

    private static Option<string?> RedisOption() => new("--redis") { Description = "Redis connection string (default: C360__Redis__ConnectionString)." };

    private static Option<string> PrefixOption() => new("--key-prefix")
    {
        Description = "Redis key prefix (default: C360__Redis__KeyPrefix, else c360).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("C360__Redis__KeyPrefix") ?? "c360",
    };

    private static bool TryRedis(string? connection, string? prefix, out RedisOptions options)
    {
        options = new RedisOptions
        {
            ConnectionString = connection ?? Environment.GetEnvironmentVariable("C360__Redis__ConnectionString") ?? string.Empty,
            KeyPrefix = prefix ?? "c360",
        };
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), problems, validateAllProperties: true))
        {
            return true;
        }

        Console.Error.WriteLine(string.Join(Environment.NewLine, problems.Select(p => p.ErrorMessage)));
        return false;
    }
}
