using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using CsCheck;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>The stored identity links: the identity stage's quick read of the resolved customer answers as the full decode does.</summary>
public sealed class IdentityStateCodecTests
{
    private static readonly string[] Ids = ["cust-1", "cust-2", "cust-10", "cüst-é", "Cust-1", "c\"q"];

    /// <summary>Few ids and few times, so equal link times (settled by the smaller id) come up often; ids beyond ASCII are escaped in JSON.</summary>
    private static readonly Gen<IdentityState> States =
        Gen.Select(
            Gen.Select(Gen.Int[0, Ids.Length - 1], Gen.Long[1_000, 1_003]).Array[0, 5],
            Gen.Bool)
        .Select((links, quarantined) => new IdentityState
        {
            LinkedCustomers = links.DistinctBy(l => l.Item1).ToImmutableSortedDictionary(l => Ids[l.Item1], l => l.Item2, StringComparer.Ordinal),
            Quarantined = quarantined,
        });

    [Fact]
    public void The_resolved_customer_read_from_the_stored_bytes_is_the_decoded_states()
    {
        States.Sample(state =>
        {
            var stored = IdentityStateCodec.Encode(state);

            Assert.Equal(state.ResolvedCustomer, IdentityStateCodec.ResolvedCustomer(stored));
            Assert.Equal(IdentityStateCodec.Decode(stored).ResolvedCustomer, IdentityStateCodec.ResolvedCustomer(stored));
        }, iter: 2_000);
    }

    [Fact]
    public void Stored_links_written_in_another_order_or_with_more_fields_are_read_alike()
    {
        var stored = Encoding.UTF8.GetBytes("""{"Quarantined":false,"Since":{"a":[1,2]},"Customers":{"cust-2":5,"cust-1":5}}""");

        Assert.Equal("cust-1", IdentityStateCodec.ResolvedCustomer(stored));
        Assert.Null(IdentityStateCodec.ResolvedCustomer(Encoding.UTF8.GetBytes("""{"Customers":{"cust-2":5},"Quarantined":true}""")));
    }

    [Theory]
    [InlineData("""{"Customers":{"cust-1":"soon"},"Quarantined":false}""")]
    [InlineData("""{"Customers":{"cust-1":5}""")]
    [InlineData("""{"Customers":{"cust-1":5},"Quarantined":1}""")]
    [InlineData("""[]""")]
    public void Damaged_stored_links_fail_as_json_as_the_full_decode_does(string stored)
    {
        var bytes = Encoding.UTF8.GetBytes(stored);

        Assert.ThrowsAny<JsonException>(() => IdentityStateCodec.Decode(bytes));
        Assert.ThrowsAny<JsonException>(() => IdentityStateCodec.ResolvedCustomer(bytes));
    }
}
