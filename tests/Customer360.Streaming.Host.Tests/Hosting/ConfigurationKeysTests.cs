using System.Reflection;
using System.Text.Json;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using YamlDotNet.RepresentationModel;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>docker-compose.yml and appsettings.json must use the keys the processor actually binds.</summary>
public sealed class ConfigurationKeysTests
{
    private static readonly IReadOnlyDictionary<string, Type> Sections = ProcessorHost.OptionSections;

    /// <summary>Enums as their names, as appsettings.json writes them.</summary>
    private static readonly JsonSerializerOptions DefaultsAsWritten = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    [Fact]
    public void DockerCompose_EveryC360VariableNamesABoundOption_AndTheProcessorSetsTheRequiredOnes()
    {
        var compose = new YamlStream();
        compose.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot(), "docker-compose.yml"))));
        var services = (YamlMappingNode)((YamlMappingNode)compose.Documents[0].RootNode)["services"];
        var processorKeys = new List<string>();

        foreach (var (name, node) in services.Children)
        {
            if (node is not YamlMappingNode service || !service.Children.TryGetValue("environment", out var environment))
            {
                continue;
            }

            foreach (var key in ((YamlMappingNode)environment).Children.Keys.Select(k => k.ToString()).Where(k => k.StartsWith("C360__", StringComparison.Ordinal)))
            {
                var parts = key.Split("__");
                Assert.True(parts.Length == 3, $"{name}: {key} is not C360__Section__Key");
                Assert.True(Sections.TryGetValue(parts[1], out var type), $"{name}: {key} names no options section");
                Assert.True(type.GetProperty(parts[2], BindingFlags.Public | BindingFlags.Instance) is not null, $"{name}: {key} names no property of {type.Name}");
                if (name.ToString() == "processor")
                {
                    processorKeys.Add(key);
                }
            }
        }

        Assert.Contains("C360__Kafka__BootstrapServers", processorKeys);
        Assert.Contains("C360__Redis__ConnectionString", processorKeys);
        Assert.Contains("C360__SchemaRegistry__Url", processorKeys);
    }

    [Fact]
    public void AppSettings_ListsEveryOptionWithItsDefault()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
        foreach (var (section, type) in Sections)
        {
            var json = settings.RootElement.GetProperty(section);
            var declared = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order().ToList();
            var listed = json.EnumerateObject().Select(p => p.Name).Order().ToList();
            Assert.Equal(declared, listed);

            // The file is where an operator reads the defaults, so each value must be the one the options start with.
            var defaults = Activator.CreateInstance(type)!;
            foreach (var listedOption in json.EnumerateObject())
            {
                var defaultValue = JsonSerializer.SerializeToElement(type.GetProperty(listedOption.Name)!.GetValue(defaults), DefaultsAsWritten);
                var unsetAsEmpty = defaultValue.ValueKind == JsonValueKind.Null && listedOption.Value.ValueKind == JsonValueKind.String && listedOption.Value.GetString() == "";
                Assert.True(
                    unsetAsEmpty || JsonElement.DeepEquals(defaultValue, listedOption.Value),
                    $"appsettings.json gives {section}:{listedOption.Name} as {listedOption.Value.GetRawText()}, but its default is {defaultValue.GetRawText()}");
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("docker-compose.yml not found");
    }
}
