using System.CommandLine;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;
using Microsoft.AspNetCore.Connections;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 registry</c>: the embedded Schema Registry for local runs and tests, in memory or, with
/// <c>--bootstrap-servers</c>, kept in a <c>_schemas</c> topic so a restart serves the same ids.
/// </summary>
internal static class RegistryCommand
{
    private const string BasicAuthVariable = "C360_REGISTRY_BASIC_AUTH";

    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 (0 picks a free one).",
            DefaultValueFactory = _ => 8081,
        };
        port.Validators.Add(r => CommonOptions.RequireRange(r, "--port", 0, 65535));
        var compatibility = new Option<string>("--compatibility")
        {
            Description = "Default compatibility level (BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE).",
            DefaultValueFactory = _ => "BACKWARD",
        };
        compatibility.Validators.Add(r =>
        {
            if (!CompatibilityLevels.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--compatibility '{r.GetValueOrDefault<string>()}' is not a compatibility level.");
            }
        });
        var bootstrap = new Option<string?>("--bootstrap-servers")
        {
            Description = "Kafka to keep the registry's state in (a compacted _schemas topic), so a restart serves the same ids; without it the state is lost on exit.",
        };
        bootstrap.Validators.Add(r =>
        {
            var servers = r.GetValueOrDefault<string?>();
            if (servers is not null && string.IsNullOrWhiteSpace(servers))
            {
                r.AddError("--bootstrap-servers is empty; leave it out to keep the registry's state in memory.");
            }
            else if (servers is not null && BootstrapServersAttribute.Check(servers) is { } problem)
            {
                r.AddError($"--bootstrap-servers must be a host:port list: {problem}.");
            }
        });
        var topic = new Option<string>("--topic") { Description = "The state topic.", DefaultValueFactory = _ => KafkaRegistryLog.DefaultTopic };
        topic.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is var name && !TopicCatalog.IsLegalTopicName(name))
            {
                r.AddError($"--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (was '{name}').");
            }
        });
        var basicAuth = new Option<string?>("--basic-auth")
        {
            Description = "user:password every request must carry (HTTP basic); default " + BasicAuthVariable + ", else none.",
        };
        basicAuth.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && CredentialsProblem(value) is { } problem)
            {
                r.AddError($"--basic-auth {problem}.");
            }
        });
        var command = new Command("registry", "Run the embedded Schema Registry (development only; production uses Confluent Schema Registry, Karapace, Apicurio or Redpanda).")
        {
            port, compatibility, bootstrap, topic, basicAuth,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var level = CompatibilityLevels.TryParse(parse.GetValue(compatibility), out var parsed) ? parsed : CompatibilityLevel.Backward;
            var credentials = parse.GetValue(basicAuth) ?? Environment.GetEnvironmentVariable(BasicAuthVariable);
            if (!string.IsNullOrEmpty(credentials) && CredentialsProblem(credentials) is { } problem)
            {
                await Console.Error.WriteLineAsync($"{BasicAuthVariable} {problem}.");
                return ExitCodes.InvalidConfiguration;
            }

            var settings = new EmbeddedRegistrySettings(string.IsNullOrEmpty(credentials) ? null : credentials, parse.GetValue(bootstrap), parse.GetValue(topic)!);
            EmbeddedSchemaRegistry registryStarted;
            try
            {
                registryStarted = await EmbeddedSchemaRegistry.StartAsync(parse.GetValue(port), level, settings, cancellationToken);
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException)
            {
                await Console.Error.WriteLineAsync($"--port {parse.GetValue(port)} is in use by another process; choose another, or 0 for a free one.");
                return ExitCodes.InvalidConfiguration;
            }
            catch (Exception ex) when (ex is InvalidDataException or KafkaException or TimeoutException)
            {
                // The state topic: no Kafka answering, or a record the registry cannot replay.
                await Console.Error.WriteLineAsync($"registry failed: {KafkaFailure.Describe(ex, settings.BootstrapServers)}");
                return ExitCodes.RuntimeFailure;
            }

            await using var registry = registryStarted;
            await Console.Out.WriteLineAsync($"schema.registry.url={registry.Url.ToString().TrimEnd('/')}");
            var state = settings.BootstrapServers is null
                ? "in memory (lost on exit)"
                : $"in topic {settings.Topic} ({registry.Replayed} records read back"
                    + (registry.PassedOver > 0 ? $", {registry.PassedOver} passed over: their keys are not JSON, so another program wrote them" : string.Empty) + ")";
            var auth = settings.BasicAuth is null ? "no authentication" : "basic authentication required";
            await Console.Out.WriteLineAsync($"ready: state {state}, {auth}, default compatibility {CompatibilityLevels.ToWire(level)}. Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await Console.Out.WriteLineAsync("stopping embedded registry");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Why <paramref name="credentials"/> cannot be what every request must carry (a phrase), or null.</summary>
    private static string? CredentialsProblem(string credentials) =>
        credentials.IndexOf(':', StringComparison.Ordinal) is var colon && colon > 0 && colon < credentials.Length - 1
            ? null
            : "must be user:password, neither of them empty";
}
