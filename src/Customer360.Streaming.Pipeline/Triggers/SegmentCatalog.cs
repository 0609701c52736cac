using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// Loads <c>topology/segments.yaml</c>: real-time segments, each a name and a condition in the rule language over the
/// context, the relationship and the feedback counters. Invalid files are rejected whole, every error listed.
/// </summary>
public static class SegmentCatalog
{
    private static readonly RuleCompiler<RuleScope> Compiler = new(RuleVariables.ForSegments);

    public static IReadOnlyList<SegmentDefinition> Parse(string yaml, string sourceName)
    {
        var document = YamlCatalog.Parse<SegmentsDocument>(yaml, sourceName);
        var errors = new List<string>();
        var segments = new List<SegmentDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = document?.Segments ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var where = CatalogNames.Entry("segments", i, e.Name);
            void Error(string field, string message) => errors.Add($"{where}: '{field}': {message}");

            if (!CatalogNames.IsValid(e.Name))
            {
                Error("name", "is required: lowercase letters, digits and '-'");
            }
            else if (e.Name == SegmentMembership.NoSegment)
            {
                Error("name", $"'{SegmentMembership.NoSegment}' is reserved for customers in no segment");
            }
            else if (!names.Add(e.Name!))
            {
                Error("name", "is declared twice");
            }

            if (string.IsNullOrWhiteSpace(e.Description))
            {
                Error("description", "is required (it says who is in the segment)");
            }

            try
            {
                var condition = Compiler.Compile(e.When ?? string.Empty);
                if (CatalogNames.IsValid(e.Name))
                {
                    segments.Add(new SegmentDefinition(e.Name!, e.Description ?? string.Empty, condition));
                }
            }
            catch (RuleSyntaxException ex)
            {
                Error("when", ex.Message + SegmentHint(e.When));
            }
        }

        YamlCatalog.ThrowIfInvalid(errors, sourceName);
        return segments;
    }

    /// <summary>Says why event and segment variables are refused, when the condition names one.</summary>
    private static string SegmentHint(string? when) =>
        when is not null && (when.Contains("event.", StringComparison.Ordinal) || when.Contains("before.", StringComparison.Ordinal) || when.Contains(RuleVariables.Segments, StringComparison.Ordinal))
            ? " (a segment is a state of the customer: it may read context.*, relationship.* and the feedback counters, not the event, 'before' or other segments)"
            : string.Empty;

    private sealed class SegmentsDocument
    {
        // "key: ~" in YAML sets a list to null; it reads as empty, which the validation reports.
        public List<SegmentEntry> Segments { get; set => field = value ?? []; } = [];
    }

    private sealed class SegmentEntry
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public string? When { get; set; }
    }
}
