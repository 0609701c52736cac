using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using CsCheck;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.State;

namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>
/// An identifier's links as the identity-links store keeps them: lossless, smaller than the JSON they replaced, still
/// reading that JSON, refusing damage, and the identity stage's quick read of the resolved customer answering as the
/// full decode does in both forms.
/// </summary>
public sealed class IdentityStateEncodingTests
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
    public void Encode_then_decode_gives_back_any_state()
    {
        Gen.Select(Gen.Select(ContextGenerators.Text, Gen.Long).Array[0, 6], Gen.Bool).Sample((links, quarantined) =>
        {
            var state = new IdentityState
            {
                LinkedCustomers = links.DistinctBy(l => l.Item1).ToImmutableSortedDictionary(l => l.Item1, l => l.Item2, StringComparer.Ordinal),
                Quarantined = quarantined,
            };

            var decoded = IdentityStateEncoding.Decode(IdentityStateEncoding.Encode(state));

            Assert.Equal(state.LinkedCustomers, decoded.LinkedCustomers);
            Assert.Equal(state.Quarantined, decoded.Quarantined);
        }, iter: 2_000);
    }

    [Fact]
    public void The_resolved_customer_read_from_the_stored_bytes_is_the_decoded_states_in_either_form()
    {
        States.Sample(state =>
        {
            foreach (var stored in new[] { IdentityStateEncoding.Encode(state), AsStoredInJson(state) })
            {
                Assert.Equal(state.ResolvedCustomer, IdentityStateEncoding.ResolvedCustomer(stored));
                Assert.Equal(IdentityStateEncoding.Decode(stored).ResolvedCustomer, IdentityStateEncoding.ResolvedCustomer(stored));
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Links_stored_as_json_by_an_earlier_version_still_read_and_took_over_twice_the_bytes()
    {
        var state = new IdentityState { LinkedCustomers = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("cust-00042", 1_790_000_000_000L)]) };
        var json = AsStoredInJson(state);

        var decoded = IdentityStateEncoding.Decode(json);

        Assert.Equal(state.LinkedCustomers, decoded.LinkedCustomers);
        Assert.False(decoded.Quarantined);
        Assert.True(IdentityStateEncoding.Encode(state).Length * 2 < json.Length, $"{IdentityStateEncoding.Encode(state).Length} bytes against the JSON's {json.Length}");
    }

    [Fact]
    public void Stored_json_links_written_in_another_order_or_with_more_fields_are_read_alike()
    {
        var stored = Encoding.UTF8.GetBytes("""{"Quarantined":false,"Since":{"a":[1,2]},"Customers":{"cust-2":5,"cust-1":5}}""");

        Assert.Equal("cust-1", IdentityStateEncoding.ResolvedCustomer(stored));
        Assert.Null(IdentityStateEncoding.ResolvedCustomer(Encoding.UTF8.GetBytes("""{"Customers":{"cust-2":5},"Quarantined":true}""")));
    }

    [Theory]
    [InlineData("""{"Customers":{"cust-1":"soon"},"Quarantined":false}""")]
    [InlineData("""{"Customers":{"cust-1":5}""")]
    [InlineData("""{"Customers":{"cust-1":5},"Quarantined":1}""")]
    public void Damaged_json_links_fail_as_json_in_both_reads(string stored)
    {
        var bytes = Encoding.UTF8.GetBytes(stored);

        Assert.ThrowsAny<JsonException>(() => IdentityStateEncoding.Decode(bytes));
        Assert.ThrowsAny<JsonException>(() => IdentityStateEncoding.ResolvedCustomer(bytes));
    }

    [Fact]
    public void A_truncated_extended_or_unknown_value_is_refused_by_both_reads()
    {
        var state = new IdentityState { LinkedCustomers = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("cust-1", 5L), KeyValuePair.Create("cust-2", 7L)]) };
        var encoded = IdentityStateEncoding.Encode(state);
        byte[] unknownFormat = [2, .. encoded[1..]];
        List<byte[]> damaged = [.. Enumerable.Range(0, encoded.Length).Select(length => encoded[..length]), [.. encoded, 0], unknownFormat];

        foreach (var bytes in damaged)
        {
            Assert.Throws<InvalidDataException>(() => IdentityStateEncoding.Decode(bytes));
            Assert.Throws<InvalidDataException>(() => IdentityStateEncoding.ResolvedCustomer(bytes));
        }

        Assert.Contains("format 2", Assert.Throws<InvalidDataException>(() => IdentityStateEncoding.Decode(unknownFormat)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_customer_repeated_in_a_damaged_value_is_refused_by_both_reads_rather_than_answered_two_ways()
    {
        // [cust-2 at 5, cust-1 at 9, cust-2 at 3]: a decode keeping the last cust-2 would resolve to cust-1, a quick read to cust-2.
        byte[] repeated = [IdentityStateEncoding.Format1, 0, 3, 1, 6, .. "cust-2"u8, 10, 1, 6, .. "cust-1"u8, 18, 2, 6];

        Assert.Throws<InvalidDataException>(() => IdentityStateEncoding.Decode(repeated));
        Assert.Throws<InvalidDataException>(() => IdentityStateEncoding.ResolvedCustomer(repeated));
    }

    /// <summary>The JSON object the version before the compact encoding wrote for <paramref name="state"/>.</summary>
    private static byte[] AsStoredInJson(IdentityState state) =>
        JsonSerializer.SerializeToUtf8Bytes(new { Customers = state.LinkedCustomers.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal), state.Quarantined });
}
