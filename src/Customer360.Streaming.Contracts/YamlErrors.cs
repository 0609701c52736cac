using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Says what the YAML parser could not read in words a user of a catalog acts on. The parser's own messages name our
/// internal types ("Property 'wen' not found on type '…RuleCatalog+RuleEntry'") or nothing at all ("Exception during
/// deserialization"); a message this does not recognise is passed on as it is.
/// </summary>
internal static partial class YamlErrors
{
    public static string Reason(YamlException ex) => ex switch
    {
        { InnerException: InvalidCastException } => WrongShape(found: "a single value", expected: null),
        { InnerException: { } inner } => $"the value cannot be read: {inner.Message}",
        _ when UnknownKey().Match(ex.Message) is { Success: true } key => $"unknown key '{key.Groups["key"].Value}' (keys are case-sensitive camelCase)",
        _ when ExpectedEvent().Match(ex.Message) is { Success: true } shape => WrongShape(Shape(shape.Groups["found"].Value), Shape(shape.Groups["expected"].Value)),
        _ when ex.Message.StartsWith("No node deserializer", StringComparison.Ordinal) => WrongShape(found: null, expected: null),
        _ => ex.Message,
    };

    private static string WrongShape(string? found, string? expected) =>
        $"this value has the wrong shape{(found is null ? string.Empty : $": {found}")}{(expected is null ? string.Empty : $" where {expected} belongs")} (values, lists and 'key: value' mappings go where the catalog's comments show)";

    private static string? Shape(string parserEvent) => parserEvent switch
    {
        "SequenceStart" => "a list",
        "MappingStart" => "a 'key: value' mapping",
        "Scalar" => "a single value",
        _ => null,
    };

    [GeneratedRegex("^Property '(?<key>[^']*)' not found on type")]
    private static partial Regex UnknownKey();

    [GeneratedRegex("^Expected '(?<expected>\\w+)', got '(?<found>\\w+)'")]
    private static partial Regex ExpectedEvent();
}
