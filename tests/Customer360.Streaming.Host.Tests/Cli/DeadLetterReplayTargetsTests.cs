using System.Text.RegularExpressions;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>Where <c>c360 dead-letters replay</c> sends each dead letter of the shipped topology, or why it sends none.</summary>
public sealed class DeadLetterReplayTargetsTests
{
    private static readonly DeadLetterReplayTargets Targets = TestDeadLetters.ShippedTargets;

    [Theory]
    [InlineData("c360.relationship.v1")]
    [InlineData("c360.identity.v1")]
    [InlineData("c360.location.v1")]
    [InlineData("c360.trigger-responses.v1")]
    [InlineData("c360.beacon.by-customer.v1")]
    public void A_record_that_failed_where_it_entered_goes_back_to_that_topic(string topic)
    {
        var target = Targets.For(TestDeadLetters.Letter(topic, via: null));

        Assert.Equal(topic, target.Topic);
        Assert.Null(target.WhyNot);
    }

    [Theory]
    [InlineData("c360.clickstream.v1", "c360.clickstream.by-customer.v1")]
    [InlineData("c360.mobile.v1", "c360.mobile.by-customer.v1")]
    [InlineData("c360.location.v1", "c360.location.by-customer.v1")]
    [InlineData("c360.beacon.v1", "c360.beacon.by-customer.v1")]
    public void An_event_that_failed_after_routing_goes_to_its_channels_customer_keyed_topic(string channel, string keyedByCustomer)
    {
        // Its key is the customer id it was routed to, not the identifier it came with: only the twin takes that key.
        var target = Targets.For(TestDeadLetters.Letter(channel, via: "c360-events-by-customer-repartition"));

        Assert.Equal(keyedByCustomer, target.Topic);
    }

    [Fact]
    public void An_event_routed_from_a_channel_without_a_customer_keyed_twin_is_not_replayed_and_the_reason_says_why()
    {
        var shipped = File.ReadAllText(RepositoryLayout.TopicsFile);
        var withoutTwins = TopicCatalog.Parse(Regex.Replace(shipped, @"(?m)^  - name: c360\.beacon\.by-customer\.v1\n(    .*\n)+", string.Empty), "test");
        var target = new DeadLetterReplayTargets(withoutTwins).For(TestDeadLetters.Letter("c360.beacon.v1", via: "c360-events-by-customer-repartition"));

        if (ProductTopicNames.FromCatalog(withoutTwins).KeyedByCustomer.ContainsKey("c360.beacon.v1"))
        {
            Assert.Fail("the edited catalog still pairs the beacon channel with a customer-keyed topic; the test no longer tests anything");
        }

        Assert.Null(target.Topic);
        Assert.Contains("no customer-keyed topic for c360.beacon.v1", target.WhyNot, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dead_letter_cut_to_fit_is_not_replayed()
    {
        var target = Targets.For(TestDeadLetters.Letter("c360.clickstream.v1", via: null) with { Truncated = true });

        Assert.Null(target.Topic);
        Assert.Contains("cut to fit", target.WhyNot, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c360-identity-commands-repartition")]
    [InlineData("c360.triggers.v1")]
    [InlineData("somebody.elses.topic")]
    public void A_record_that_entered_by_anything_but_an_input_or_table_topic_is_not_replayed(string topic)
    {
        var target = Targets.For(TestDeadLetters.Letter(topic, via: null));

        Assert.Null(target.Topic);
        Assert.Contains($"entered by {topic}", target.WhyNot, StringComparison.Ordinal);
    }
}
