using System.CommandLine;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 registry</c>: the embedded, in-memory Schema Registry for local runs and tests.</summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 (0 picks a free one).",
            DefaultValueFactory = _ => 8081,
        };
        port.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value is < 0 or > 65535)
            {
                r.AddError($"--port must be between 0 and 65535 (was {value}).");
            }
        });
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
        var command = new Command("registry", "Run the embedded Schema Registry (development only; production uses Confluent Schema Registry, Karapace, Apicurio or Redpanda).")
        {
            port, compatibility,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var level = CompatibilityLevels.TryParse(parse.GetValue(compatibility), out var parsed) ? parsed : CompatibilityLevel.Backward;
            await using var registry = await EmbeddedSchemaRegistry.StartAsync(parse.GetValue(port), level, cancellationToken);
            await Console.Out.WriteLineAsync($"schema.registry.url={registry.Url.ToString().TrimEnd('/')}");
            await Console.Out.WriteLineAsync($"ready: in-memory registry, default compatibility {CompatibilityLevels.ToWire(level)}. Ctrl+C stops it.");
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
}
