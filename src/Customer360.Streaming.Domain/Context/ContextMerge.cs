namespace Customer360.Streaming.Domain.Context;

/// <summary>
/// Folds an anonymous context into a known customer's when an identity link arrives. Deterministic and per
/// attribute group: the group whose newest event is later wins; view histories are united; the cart of the later
/// cart change wins; relationship, location and in-store presence always stay the customer's (an anonymous context
/// has no consent, so it holds none). The result's version is above both inputs', so Redis accepts it.
/// </summary>
public static class ContextMerge
{
    public static CustomerContext Merge(CustomerContext known, CustomerContext anonymous)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(anonymous);
        var web = known.Web.LastActivityMs >= anonymous.Web.LastActivityMs ? known.Web : anonymous.Web;
        var cartSource = known.Web.CartUpdatedMs >= anonymous.Web.CartUpdatedMs ? known.Web : anonymous.Web;
        var searchSource = known.Web.LastSearchMs >= anonymous.Web.LastSearchMs ? known.Web : anonymous.Web;
        var views = known.Web.RecentViews.Concat(anonymous.Web.RecentViews)
            .Distinct()
            .OrderBy(v => v.AtMs).ThenBy(v => v.Category, StringComparer.Ordinal)
            .ToList();
        var provenance = known.Provenance;
        foreach (var (group, candidate) in anonymous.Provenance)
        {
            if (group is "web" or "app" && (!provenance.TryGetValue(group, out var current) || candidate.EventTimeMs > current.EventTimeMs))
            {
                provenance = provenance.SetItem(group, candidate);
            }
        }

        return known with
        {
            Version = Math.Max(known.Version, anonymous.Version) + 1,
            AsOfMs = Math.Max(known.AsOfMs, anonymous.AsOfMs),
            Web = web with
            {
                RecentViews = [.. views],
                CartQuantities = cartSource.CartQuantities,
                CartValue = cartSource.CartValue,
                CartUpdatedMs = cartSource.CartUpdatedMs,
                LastSearch = searchSource.LastSearch,
                LastSearchMs = searchSource.LastSearchMs,
            },
            App = known.App.StateChangedMs >= anonymous.App.StateChangedMs ? known.App : anonymous.App,
            Provenance = provenance,
        };
    }
}
