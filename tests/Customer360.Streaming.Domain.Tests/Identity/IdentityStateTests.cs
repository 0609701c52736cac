using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Domain.Tests.Identity;

public sealed class IdentityStateTests
{
    private static readonly IdentitySettings LimitTwo = new() { MaxCustomersPerIdentifier = 2 };

    [Fact]
    public void The_latest_link_wins_and_ties_go_to_the_smaller_customer_id_whatever_the_arrival_order()
    {
        var forward = Apply(new IdentityState(), Link("c-b", 10), Link("c-a", 10));
        var backward = Apply(new IdentityState(), Link("c-a", 10), Link("c-b", 10));

        Assert.Equal("c-a", forward.ResolvedCustomer);
        Assert.Equal(forward.LinkedCustomers, backward.LinkedCustomers);
        Assert.Equal(forward.ResolvedCustomer, backward.ResolvedCustomer);
        Assert.Equal("c-b", Apply(forward, Link("c-b", 20)).ResolvedCustomer);
    }

    [Fact]
    public void Over_the_limit_the_identifier_is_quarantined_until_an_unlink_releases_it()
    {
        var state = new IdentityState();
        (state, var first) = state.Apply(Link("c-1", 1), LimitTwo);
        (state, _) = state.Apply(Link("c-2", 2), LimitTwo);
        (state, var third) = state.Apply(Link("c-3", 3), LimitTwo);

        Assert.Equal(LinkOutcome.Linked, first);
        Assert.Equal(LinkOutcome.Quarantined, third);
        Assert.Null(state.ResolvedCustomer);

        (state, var released) = state.Apply(Link("c-3", 4, IdentityAction.Unlink), LimitTwo);
        Assert.Equal(LinkOutcome.Released, released);
        Assert.Equal("c-2", state.ResolvedCustomer);
    }

    [Fact]
    public void A_quarantined_identifier_keeps_at_most_its_bound_of_customers_and_still_moves_a_kept_link()
    {
        var full = Apply(new IdentityState(), [.. Enumerable.Range(0, IdentityState.MostCustomersKept).Select(i => Link($"c-{i}", i))]);

        var (beyond, outcome) = full.Apply(Link("c-new", 10_000), LimitTwo);
        var (moved, _) = full.Apply(Link("c-7", 10_000), LimitTwo);

        Assert.Equal(LinkOutcome.Unchanged, outcome);
        Assert.Same(full, beyond);
        Assert.Equal(IdentityState.MostCustomersKept, full.LinkedCustomers.Count);
        Assert.True(full.Quarantined);
        Assert.Equal(10_000, moved.LinkedCustomers["c-7"]);
    }

    [Fact]
    public void Duplicates_and_unlinks_of_strangers_change_nothing()
    {
        var state = Apply(new IdentityState(), Link("c-1", 5));

        Assert.Equal(LinkOutcome.Unchanged, state.Apply(Link("c-1", 5), LimitTwo).Outcome);
        Assert.Equal(LinkOutcome.Unchanged, state.Apply(Link("c-9", 6, IdentityAction.Unlink), LimitTwo).Outcome);
    }

    [Fact]
    public void Forgetting_an_erased_customer_removes_the_link_and_can_lift_a_quarantine()
    {
        var state = Apply(new IdentityState(), Link("c-1", 1), Link("c-2", 2), Link("c-3", 3));
        Assert.True(state.Quarantined);

        var forgotten = state.Forget("c-3", LimitTwo);

        Assert.False(forgotten.Quarantined);
        Assert.DoesNotContain("c-3", forgotten.LinkedCustomers.Keys);
        Assert.Equal("c-2", forgotten.ResolvedCustomer);
        Assert.True(Apply(new IdentityState(), Link("c-1", 1)).Forget("c-1", LimitTwo).IsEmpty);
    }

    private static IdentityState Apply(IdentityState state, params IdentityLink[] links) =>
        links.Aggregate(state, (s, l) => s.Apply(l, LimitTwo).State);

    private static IdentityLink Link(string customer, long t, IdentityAction action = IdentityAction.Link) =>
        new(Guid.NewGuid(), t, "c360.identity.v1", IdentifierType.Device, "d1", customer, action);
}
