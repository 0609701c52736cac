using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Domain.Tests.Context;

/// <summary>The rule variables' one-pass counts (views30m, topCategory30m) answer what the sorted category counts say.</summary>
public sealed class RecentViewsTests
{
    [Fact]
    public void The_top_category_and_the_view_count_agree_with_the_sorted_counts_for_any_views_and_window()
    {
        var random = new Random(42);
        string[] categories = ["shoes", "garden", "electronics", "books", "toys"];
        for (var trial = 0; trial < 500; trial++)
        {
            var views = Enumerable.Range(0, random.Next(0, 40))
                .Select(_ => new Viewed(categories[random.Next(random.Next(1, categories.Length + 1))], random.Next(0, 100_000)))
                .ToImmutableList();
            var web = new WebView { RecentViews = views };
            var window = random.Next(1, 120_000);
            var asOf = random.Next(0, 110_000);

            var counts = web.CategoryCounts(window, asOf);

            Assert.Equal(counts.Count == 0 ? null : counts[0].Key, web.TopCategoryWithin(window, asOf));
            Assert.Equal(counts.Sum(c => c.Value), web.ViewsWithin(window, asOf));
        }
    }

    [Fact]
    public void The_category_counts_are_the_views_in_the_window_grouped_most_viewed_first_then_by_name()
    {
        var random = new Random(7);
        string[] categories = ["shoes", "garden", "electronics", "books", "toys", "Toys", "b\u00f6oks"];
        for (var trial = 0; trial < 500; trial++)
        {
            var views = Enumerable.Range(0, random.Next(0, 60))
                .Select(_ => new Viewed(categories[random.Next(categories.Length)], random.Next(0, 100_000)))
                .ToImmutableList();
            var window = random.Next(1, 120_000);
            var asOf = random.Next(0, 110_000);

            // The definition, spelled out with LINQ.
            var expected = views.Where(v => v.AtMs > asOf - window && v.AtMs <= asOf)
                .GroupBy(v => v.Category, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, g.Count()))
                .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal);

            Assert.Equal(expected, new WebView { RecentViews = views }.CategoryCounts(window, asOf));
        }
    }

    [Fact]
    public void Each_view_keeps_the_recent_views_in_time_then_category_order_within_the_history_and_the_cap()
    {
        var reducer = new ContextReducer(new ContextSettings { MaxRecentViews = 12, ViewHistory = TimeSpan.FromHours(1) }, new Geo.StoreDirectory([]));
        string[] categories = ["shoes", "garden", "Toys", "toys", "b\u00f6oks"];
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var context = CustomerContext.Empty("c-1");
            var model = new List<Viewed>();
            var t = Events.T0;
            for (var i = 0; i < 60; i++)
            {
                // Mostly forward, sometimes a long pause, sometimes late (within the grace period or beyond it); on a
                // 30-second grid, so views often share a time and their categories decide the order.
                t += 30_000 * random.Next(10) switch { 0 => -random.Next(0, 30), 1 => random.Next(0, 360), _ => random.Next(0, 3) };
                var category = categories[random.Next(categories.Length)];
                var click = new ClickEvent(new Guid(trial, (short)i, 0, new byte[8]), t, "c360.clickstream.v1", ClickType.PageView, "anon-1", null, "s1", "https://shop.example/", Category: category);

                var before = context;
                context = reducer.Apply(context, click).Context;
                if (context.Version == before.Version)
                {
                    continue;
                }

                // The definition, spelled out with LINQ: add, drop what is older than the history, order, keep the newest.
                var horizon = context.Web.LastActivityMs - 3_600_000;
                var kept = model.Append(new Viewed(category, t)).Where(v => v.AtMs > horizon)
                    .OrderBy(v => v.AtMs).ThenBy(v => v.Category, StringComparer.Ordinal).ToList();
                model = [.. kept.Skip(Math.Max(0, kept.Count - 12))];

                Assert.Equal(model, context.Web.RecentViews);
            }
        }
    }

    [Fact]
    public void Equal_counts_go_to_the_first_category_by_name_whatever_order_the_views_came_in()
    {
        var forward = new WebView { RecentViews = [new("toys", 1), new("books", 2), new("toys", 3), new("books", 4)] };
        var backward = new WebView { RecentViews = [.. forward.RecentViews.Reverse()] };

        Assert.Equal("books", forward.TopCategoryWithin(10, 5));
        Assert.Equal("books", backward.TopCategoryWithin(10, 5));
        Assert.Equal("toys", forward.TopCategoryWithin(3, 3));
    }
}
