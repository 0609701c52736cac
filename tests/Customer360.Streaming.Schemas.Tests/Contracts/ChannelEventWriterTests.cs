using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Schemas.Tests.Contracts;

public sealed class ChannelEventWriterTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
    private const long T = 1_790_000_000_123;

    public static TheoryData<string, ChannelEvent, string?> Events() => new()
    {
        { "c360.clickstream.v1", new ClickEvent(Guid.NewGuid(), T, "c360.clickstream.v1", ClickType.AddToCart, "a1", "c-1", "s1", "https://x/p", "sku", "toys", 12.34m, 2, 24.68m, null), null },
        { "c360.mobile.v1", new AppEvent(Guid.NewGuid(), T, "c360.mobile.v1", AppEventType.PushOpened, "d1", null, "offers", "trigger-1"), null },
        { "c360.location.v1", new LocationFix(Guid.NewGuid(), T, "c360.location.v1", "d1", 52.52, 13.405, 12.5), null },
        { "c360.beacon.v1", new BeaconSighting(Guid.NewGuid(), T, "c360.beacon.v1", "berlin-mitte", "electronics", Proximity.Immediate, -61, SightingType.Dwell), "app:loyal-7" },
        { "c360.identity.v1", new IdentityLink(Guid.NewGuid(), T, "c360.identity.v1", IdentifierType.LoyaltyApp, "loyal-7", "c-1", IdentityAction.Unlink), null },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task Written_then_serialized_then_mapped_gives_the_same_event(string topic, ChannelEvent original, string? identifier)
    {
        var registry = new InProcessSchemaRegistry();
        var bytes = await new AvroSerializer<GenericRecord>(registry).SerializeAsync(new ChannelEventWriter(Contracts).Write(original, identifier), topic, cancellationToken: TestContext.Current.CancellationToken);

        var mapped = ChannelEventMapper.Map(new AvroDeserializer<GenericRecord>(registry).Deserialize(bytes), topic);

        Assert.Equal(original, mapped);
    }

    [Fact]
    public async Task A_relationship_profile_round_trips_with_consent_quiet_hours_and_exact_money()
    {
        var registry = new InProcessSchemaRegistry();
        var profile = new RelationshipProfile(Guid.NewGuid(), T, "c360.relationship.v1", "c-1", "PLATINUM", "loyal", 1234.5m, 0.25, ["toys", "home"], "berlin-mitte",
            new Consent(Email: true, Location: true), new QuietHours(1320, 420), "Europe/Berlin", "de-DE");
        var bytes = await new AvroSerializer<GenericRecord>(registry).SerializeAsync(new ChannelEventWriter(Contracts).Write(profile), "c360.relationship.v1", cancellationToken: TestContext.Current.CancellationToken);

        var mapped = (RelationshipProfile)ChannelEventMapper.Map(new AvroDeserializer<GenericRecord>(registry).Deserialize(bytes), "c360.relationship.v1");

        Assert.Equal(profile with { PreferredCategories = mapped.PreferredCategories }, mapped);
        Assert.Equal(profile.PreferredCategories, mapped.PreferredCategories);
        Assert.Equal(1234.50m, mapped.LifetimeValue);
    }
}
