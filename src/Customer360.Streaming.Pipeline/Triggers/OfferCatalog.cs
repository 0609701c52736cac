using System.Globalization;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// Loads <c>topology/offers.yaml</c>: offers with a channel, a value, an optional eligibility condition (the rule
/// language, without event variables since offers are also chosen at timers), an optional daily capacity and an
/// optional validity period. Invalid files are rejected whole, every error listed.
/// </summary>
public static class OfferCatalog
{
    public static IReadOnlyList<OfferDefinition> Parse(string yaml, string sourceName, IReadOnlyCollection<string> segmentNames)
    {
        var compiler = new RuleCompiler<RuleScope>(RuleVariables.ForOffers(segmentNames));
        var document = YamlCatalog.Parse<OffersDocument>(yaml, sourceName);
        var errors = new List<string>();
        var offers = new List<OfferDefinition>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var entries = document?.Offers ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var where = CatalogNames.Entry("offers", i, e.Id);
            void Error(string field, string message) => errors.Add($"{where}: '{field}': {message}");
            var valid = true;

            if (!CatalogNames.IsValid(e.Id))
            {
                Error("id", "is required: lowercase letters, digits and '-'");
                valid = false;
            }
            else if (!ids.Add(e.Id!))
            {
                Error("id", "is declared twice");
            }

            if (string.IsNullOrWhiteSpace(e.Description))
            {
                Error("description", "is required (it is what the customer is offered)");
            }

            if (!EnumNames.TryParseName<TriggerChannel>(e.Channel, out var channel))
            {
                Error("channel", $"must be one of push, email, sms, inApp, store (was '{e.Channel}')");
                valid = false;
            }

            if (e.Value is not (> 0 and <= 1_000_000))
            {
                Error("value", "is required: what an accepted offer is worth, more than 0 and at most 1000000");
                valid = false;
            }

            CompiledCondition<RuleScope>? eligible = null;
            if (!string.IsNullOrWhiteSpace(e.When))
            {
                try
                {
                    eligible = compiler.Compile(e.When);
                }
                catch (RuleSyntaxException ex)
                {
                    Error("when", ex.Message);
                    valid = false;
                }
            }

            OfferCapacity? capacity = null;
            if (e.Capacity is { } c)
            {
                var per = c.Per switch
                {
                    null or "offer" => CapacityScope.Offer,
                    "store" => CapacityScope.Store,
                    _ => (CapacityScope?)null,
                };
                if (per is null)
                {
                    Error("capacity.per", $"must be offer or store (was '{c.Per}')");
                    valid = false;
                }

                if (c.PerDay is not > 0)
                {
                    Error("capacity.perDay", "must be 1 or more");
                    valid = false;
                }

                capacity = per is { } scope && c.PerDay is { } perDay ? new OfferCapacity(perDay, scope) : null;
            }

            var from = Instant(e.ValidFrom, "validFrom", Error);
            var until = Instant(e.ValidUntil, "validUntil", Error);
            if (from is { } f && until is { } u && u <= f)
            {
                Error("validUntil", "must be after validFrom");
                valid = false;
            }

            if (valid)
            {
                offers.Add(new OfferDefinition(e.Id!, e.Description ?? string.Empty, channel, e.Value!.Value, eligible, capacity, from ?? long.MinValue, until ?? long.MaxValue));
            }
        }

        YamlCatalog.ThrowIfInvalid(errors, sourceName);
        return offers;
    }

    /// <summary>An ISO 8601 instant with an offset (2026-12-24T00:00:00Z), as epoch milliseconds.</summary>
    private static long? Instant(string? text, string field, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUnixTimeMilliseconds();
        }

        error(field, $"'{text}' is not an instant such as 2026-12-24T00:00:00Z");
        return null;
    }

    private sealed class OffersDocument
    {
        // "key: ~" in YAML sets a list to null; it reads as empty, which the validation reports.
        public List<OfferEntry> Offers { get; set => field = value ?? []; } = [];
    }

    private sealed class OfferEntry
    {
        public string? Id { get; set; }

        public string? Description { get; set; }

        public string? Channel { get; set; }

        public decimal? Value { get; set; }

        public string? When { get; set; }

        public CapacityEntry? Capacity { get; set; }

        public string? ValidFrom { get; set; }

        public string? ValidUntil { get; set; }
    }

    private sealed class CapacityEntry
    {
        public int? PerDay { get; set; }

        public string? Per { get; set; }
    }
}
