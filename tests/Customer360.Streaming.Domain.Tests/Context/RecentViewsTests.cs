using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;

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
    public void Equal_counts_go_to_the_first_category_by_name_whatever_order_the_views_came_in()
    {
        var forward = new WebView { RecentViews = [new("toys", 1), new("books", 2), new("toys", 3), new("books", 4)] };
        var backward = new WebView { RecentViews = [.. forward.RecentViews.Reverse()] };

        Assert.Equal("books", forward.TopCategoryWithin(10, 5));
        Assert.Equal("books", backward.TopCategoryWithin(10, 5));
        Assert.Equal("toys", forward.TopCategoryWithin(3, 3));
    }
}
