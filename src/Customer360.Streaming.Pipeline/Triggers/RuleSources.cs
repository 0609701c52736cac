using System.Security.Cryptography;
using System.Text;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// The texts a rule set is made of: <c>triggers.yaml</c>, and beside it the optional <c>segments.yaml</c> and
/// <c>offers.yaml</c> the rules may name. They are read, validated and reloaded together, because a rule naming a
/// segment or an offer is only valid with the catalog that declares it.
/// </summary>
/// <param name="Segments">The segment catalog's text, or null when the file does not exist.</param>
/// <param name="Offers">The offer catalog's text, or null when the file does not exist.</param>
public sealed record RuleSources(string RulesPath, string Rules, string? Segments, string? Offers)
{
    public const string SegmentsFileName = "segments.yaml";
    public const string OffersFileName = "offers.yaml";

    public string SegmentsPath => Sibling(SegmentsFileName);

    public string OffersPath => Sibling(OffersFileName);

    /// <summary>The three files beside <paramref name="rulesPath"/>; a missing rule file is an error, missing catalogs are empty.</summary>
    /// <exception cref="IOException">A file exists but cannot be read.</exception>
    public static RuleSources Read(string rulesPath)
    {
        ArgumentNullException.ThrowIfNull(rulesPath);
        var rules = Contracts.YamlCatalog.Read(rulesPath, "Rule file");
        var directory = Path.GetDirectoryName(Path.GetFullPath(rulesPath)) ?? ".";
        string? Optional(string name) => Path.Combine(directory, name) is var path && File.Exists(path) ? File.ReadAllText(path) : null;
        return new RuleSources(rulesPath, rules, Optional(SegmentsFileName), Optional(OffersFileName));
    }

    /// <summary>One fingerprint over all three texts, so a change to any of them is a reload.</summary>
    public string Fingerprint()
    {
        var joined = string.Join('\u0000', Rules, Segments ?? "\u0001absent", Offers ?? "\u0001absent");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
    }

    private string Sibling(string name) => Path.Combine(Path.GetDirectoryName(RulesPath) ?? ".", name);
}
