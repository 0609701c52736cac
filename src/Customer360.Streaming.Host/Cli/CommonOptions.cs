using System.CommandLine;
using System.CommandLine.Parsing;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Contracts;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Cli;

/// <summary>Options several verbs share, defined once so they read and validate alike.</summary>
internal static class CommonOptions
{
    public static Option<string?> TopologyDirectory() => new("--topology-dir")
    {
        Description = "Folder holding topics.yaml (default: the nearest topology/ above the working directory).",
    };

    /// <summary>The Kafka address of the verbs that talk to a cluster; <see cref="TryBootstrapServers"/> falls back to the environment.</summary>
    public static Option<string?> BootstrapServers() => new("--bootstrap-servers")
    {
        Description = "Kafka bootstrap servers (default: C360__Kafka__BootstrapServers).",
    };

    /// <summary>The application id a verb works for, by default the processor's (<c>C360__Kafka__ApplicationId</c>, else c360).</summary>
    public static Option<string> ApplicationId(string purpose)
    {
        var option = new Option<string>("--application-id")
        {
            Description = $"{purpose} (default: C360__Kafka__ApplicationId, else c360).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("C360__Kafka__ApplicationId") ?? "c360",
        };
        option.Validators.Add(RequireApplicationId);
        return option;
    }

    /// <summary>Refuses an application id Kafka cannot name a group or topic after, before it reaches the cluster.</summary>
    public static void RequireApplicationId(OptionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Parsed<string?>(result, out var id) && id is not null && !Regex.IsMatch(id, KafkaOptions.ApplicationIdPattern))
        {
            result.AddError($"--application-id must be 1-100 letters, digits, '.', '_' or '-' (was '{id}').");
        }
    }

    public static Option<int> Brokers()
    {
        var option = new Option<int>("--brokers")
        {
            Description = "Number of embedded brokers.",
            DefaultValueFactory = _ => 3,
        };
        option.Validators.Add(result => RequireRange(result, "--brokers", 1, Embedded.Kafka.EmbeddedKafkaCluster.MaxBrokers));
        return option;
    }

    /// <summary>Adds a parse error naming the option and its value when an integer option is out of range.</summary>
    public static void RequireRange(OptionResult result, string name, int min, int max)
    {
        if (Parsed<int>(result, out var value) && (value < min || value > max))
        {
            result.AddError($"{name} must be between {min} and {max} (was {value}).");
        }
    }

    /// <summary>
    /// The option's value for a validator to check, or false when its text did not convert: the parser reports that
    /// itself ("Cannot parse argument … for option …"), but runs the validators anyway (dotnet/command-line-api#2645),
    /// and asking for the value then throws, which ended the process instead of printing the error.
    /// </summary>
    public static bool Parsed<T>(OptionResult result, out T value)
    {
        ArgumentNullException.ThrowIfNull(result);
        try
        {
            value = result.GetValueOrDefault<T>()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>
    /// What is wrong with the Kafka and Schema Registry addresses a verb was given (by option or environment), or null
    /// when both are well formed or not given. Verbs check them before building a client, as <c>c360 run</c> checks its
    /// settings, so a typo is named instead of surfacing as a connection failure or an unhandled URI error.
    /// </summary>
    public static string? AddressProblem(string? bootstrapServers, string? registryUrl)
    {
        if (!string.IsNullOrWhiteSpace(bootstrapServers) && BootstrapServersAttribute.Check(bootstrapServers) is { } servers)
        {
            return $"--bootstrap-servers (or C360__Kafka__BootstrapServers) must be a host:port list: {servers}.";
        }

        var registry = new SchemaRegistryOptions { Url = registryUrl ?? string.Empty };
        var problems = new List<ValidationResult>();
        return string.IsNullOrWhiteSpace(registryUrl)
            || Validator.TryValidateProperty(registryUrl, new ValidationContext(registry) { MemberName = nameof(SchemaRegistryOptions.Url) }, problems)
            ? null
            : $"--registry-url (or C360__SchemaRegistry__Url) must be one or more comma-separated http(s):// URLs (was '{registryUrl}').";
    }

    /// <summary>The registry URL a verb was given by option, else the processor's (<c>C360__SchemaRegistry__Url</c>); null when neither.</summary>
    public static string? RegistryUrl(string? given) => given ?? Environment.GetEnvironmentVariable("C360__SchemaRegistry__Url");

    /// <summary>
    /// The registry client's settings as <c>c360 run</c> reads them (authentication, TLS, proxy and retries from
    /// <c>C360__SchemaRegistry__*</c>) at <paramref name="url"/>, the address the verb settled on; false, with why on
    /// stderr, when they do not pass the processor's checks.
    /// </summary>
    public static bool TryRegistryOptions(string url, [NotNullWhen(true)] out SchemaRegistryOptions? options) =>
        TryProcessorSettings(SchemaRegistryOptions.SectionName, o => o.Url = url, out options);

    /// <summary>
    /// The Kafka client settings as <c>c360 run</c> reads them (<c>Kafka:Properties</c> for SASL, TLS and the like,
    /// <c>Kafka:StartupTimeoutSeconds</c>, from <c>C360__Kafka__*</c>) with the servers and application id the verb settled
    /// on; false, with why on stderr, when they do not pass the processor's checks. Built from the servers alone, no
    /// verb could reach a cluster behind SASL or TLS.
    /// </summary>
    public static bool TryKafkaOptions(string servers, string? applicationId, [NotNullWhen(true)] out KafkaOptions? options) =>
        TryProcessorSettings(KafkaOptions.SectionName, o =>
        {
            o.BootstrapServers = servers;
            o.ApplicationId = applicationId ?? o.ApplicationId;
        }, out options);

    /// <summary>
    /// A section of the processor's <c>C360__</c> settings as <c>c360 run</c> reads it, with what the verb settled on
    /// over it (<paramref name="adjust"/>); false, with every problem on stderr, when it does not pass the checks.
    /// </summary>
    private static bool TryProcessorSettings<TOptions>(string section, Action<TOptions> adjust, [NotNullWhen(true)] out TOptions? options)
        where TOptions : class, new()
    {
        try
        {
            options = SettingsSection.Read(SettingsSection.ProcessorEnvironment(), section, new TOptions(), adjust);
            return true;
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine(SettingsSection.Describe(ex.Failures));
            options = null;
            return false;
        }
    }

    /// <summary>
    /// The Kafka bootstrap servers a verb was given by option, else by <c>C360__Kafka__BootstrapServers</c>; when there
    /// are none or they are malformed, writes why to stderr so the verb can exit with code 2.
    /// </summary>
    public static bool TryBootstrapServers(string? given, [NotNullWhen(true)] out string? servers)
    {
        servers = given ?? Environment.GetEnvironmentVariable("C360__Kafka__BootstrapServers");
        if (string.IsNullOrWhiteSpace(servers))
        {
            Console.Error.WriteLine("--bootstrap-servers is required (or C360__Kafka__BootstrapServers).");
            servers = null;
            return false;
        }

        if (AddressProblem(servers, registryUrl: null) is { } address)
        {
            Console.Error.WriteLine(address);
            servers = null;
            return false;
        }

        return true;
    }

    /// <summary>Loads topics.yaml for a verb; on failure writes why to stderr so the verb can exit with code 2.</summary>
    public static bool TryLoadCatalog(string? topologyDirectory, [NotNullWhen(true)] out TopicCatalog? catalog)
    {
        try
        {
            catalog = TopicCatalog.Load(ContentFolders.TopicsFile(topologyDirectory));
            return true;
        }
        catch (Exception ex) when (ex is TopologyException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine(ex.Message);
            catalog = null;
            return false;
        }
    }

    public static Option<bool> KeyedByCustomer() => new("--keyed-by-customer")
    {
        Description = "Send channel events keyed by customer, on each channel's customer-keyed topic, as sources that know who is "
            + "signed in do: they skip identity stitching and the repartition hop.",
    };

    /// <summary>
    /// Whether topics.yaml has what a simulation keyed by customer needs (a customer-keyed topic for every channel);
    /// when not, writes why to stderr so the verb can exit with code 2.
    /// </summary>
    public static bool CanKeyByCustomer(bool keyedByCustomer, TopicCatalog catalog)
    {
        if (!keyedByCustomer)
        {
            return true;
        }

        try
        {
            var topics = ProductTopicNames.FromCatalog(catalog);
            var lacking = topics.ChannelsNotKeyedByCustomer;
            if (lacking.Count == 0)
            {
                return true;
            }

            Console.Error.WriteLine(
                $"--keyed-by-customer needs a customer-keyed topic for every channel; topics.yaml has none for {string.Join(", ", lacking)} "
                + $"(an input topic with the channel's valueSchema and copartition: {ProductTopicNames.CustomerGroup}).");
        }
        catch (TopologyException ex)
        {
            Console.Error.WriteLine(ex.Message);
        }

        return false;
    }
}
