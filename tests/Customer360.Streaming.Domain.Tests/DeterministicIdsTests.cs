using System.Security.Cryptography;
using System.Text;

namespace Customer360.Streaming.Domain.Tests;

/// <summary>The one id scheme: the same name gives the same id, as hex or as a version 8 UUID over the same 16 bytes.</summary>
public sealed class DeterministicIdsTests
{
    [Theory]
    [InlineData("cart-reminder\n1\nc-1\nc360.clickstream.v1\n0\n41")]
    [InlineData("")]
    public void Hex_IsTheFirst16BytesOfSha256(string name) =>
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16]), DeterministicIds.Hex(name));

    [Fact]
    public void Uuid_IsVersion8WithTheRfcVariant_OverTheSameBytes()
    {
        var id = DeterministicIds.Uuid("c-1\nc360.beacon.v1\n2\n41\nCUSTOMER_ENTERED");
        var text = id.ToString("N");
        var hex = DeterministicIds.Hex("c-1\nc360.beacon.v1\n2\n41\nCUSTOMER_ENTERED");

        Assert.Equal('8', text[12]);
        Assert.Contains(text[16], "89ab");
        Assert.Equal(hex[..12], text[..12]);
        Assert.Equal(hex[13..16], text[13..16]);
        Assert.Equal(hex[18..], text[18..]);
        Assert.Equal(id, DeterministicIds.Uuid("c-1\nc360.beacon.v1\n2\n41\nCUSTOMER_ENTERED"));
    }
}
