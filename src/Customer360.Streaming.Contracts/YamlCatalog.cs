using Customer360.Streaming.Runtime.Topology;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NodeDeserializers;
using YamlDotNet.Serialization.NamingConventions;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// What every YAML catalog of <c>topology/</c> (topics, stores, rules) does the same way: read the file, parse it with
/// camelCase keys (a syntax error names its line), and report every problem the validation found in one
/// <see cref="TopologyException"/>, so a user fixes them all in one go.
/// </summary>
public static class YamlCatalog
{
    /// <summary>
    /// Strict about what a typo makes: a key given twice and an empty list item are each an error with its line, not
    /// a silently dropped value or a null in a list the validation reads.
    /// </summary>
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .WithNodeDeserializer(collections => new NoEmptyListItems(collections), where => where.InsteadOf<CollectionNodeDeserializer>())
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>
    /// <paramref name="entry"/> as YAML with its keys in one order and without the file's comments or layout: equal for
    /// entries that declare the same.
    /// </summary>
    public static string Canonical(object entry) => Serializer.Serialize(entry);

    /// <summary>The file's text; <paramref name="what"/> names the catalog in the error when the file is missing or a folder.</summary>
    public static string Read(string path, string what) =>
        File.Exists(path) ? File.ReadAllText(path)
        : Directory.Exists(path) ? throw new TopologyException($"{what} '{path}' is a folder, not a file.")
        : throw new TopologyException($"{what} '{path}' does not exist.");

    /// <summary>The document in <paramref name="yaml"/>, or null when it is empty.</summary>
    public static TDocument? Parse<TDocument>(string yaml, string sourceName)
        where TDocument : class
    {
        try
        {
            return Deserializer.Deserialize<TDocument?>(yaml);
        }
        catch (YamlException ex)
        {
            throw new TopologyException($"{sourceName}: line {ex.Start.Line}: {YamlErrors.Reason(ex)}", ex);
        }
    }

    /// <summary>Throws one exception listing every error, if there is any.</summary>
    public static void ThrowIfInvalid(IReadOnlyCollection<string> errors, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count > 0)
        {
            throw new TopologyException($"{sourceName} is invalid:{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", errors));
        }
    }
}
