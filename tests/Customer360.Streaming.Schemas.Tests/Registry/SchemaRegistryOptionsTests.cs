using System.ComponentModel.DataAnnotations;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Schemas.Tests.Registry;

/// <summary>Registry options are checked at startup, and their messages name the key without echoing a secret.</summary>
public sealed class SchemaRegistryOptionsTests
{
    public static TheoryData<string, SchemaRegistryOptions> Invalid => new()
    {
        { "one kind of authentication", new SchemaRegistryOptions { Url = "http://r:8081", BasicAuthUserInfo = "u:top-secret", BearerAuthToken = "top-secret" } },
        { "'user:password'", new SchemaRegistryOptions { Url = "http://r:8081", BasicAuthUserInfo = "top-secret" } },
        { "BearerAuthClientSecret", new SchemaRegistryOptions { Url = "http://r:8081", BearerAuthClientId = "id", BearerAuthTokenEndpointUrl = "https://idp/token" } },
        { "BearerAuthTokenEndpointUrl", new SchemaRegistryOptions { Url = "http://r:8081", BearerAuthClientId = "id", BearerAuthClientSecret = "top-secret" } },
        { "ProxyUrl", new SchemaRegistryOptions { Url = "http://r:8081", ProxyUrl = "not a url" } },
        { "SslKeystoreLocation", new SchemaRegistryOptions { Url = "http://r:8081", SslKeystoreLocation = "/nonexistent/client.p12", SslKeystorePassword = "top-secret" } },
        { "LatestCacheTtlSecs", new SchemaRegistryOptions { Url = "http://r:8081", LatestCacheTtlSecs = -1 } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_combination_is_refused_with_a_message_naming_it_and_no_secret(string expected, SchemaRegistryOptions options)
    {
        var errors = Validate(options);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("top-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_kind_of_authentication_alone_is_accepted()
    {
        Assert.Empty(Validate(new SchemaRegistryOptions { Url = "http://r:8081", BasicAuthUserInfo = "u:p" }));
        Assert.Empty(Validate(new SchemaRegistryOptions { Url = "http://r:8081", BearerAuthToken = "t", BearerAuthLogicalCluster = "lsrc-1", BearerAuthIdentityPoolId = "pool-1" }));
        Assert.Empty(Validate(new SchemaRegistryOptions
        {
            Url = "http://r:8081", BearerAuthClientId = "id", BearerAuthClientSecret = "s", BearerAuthTokenEndpointUrl = "https://idp/token", ProxyUrl = "http://proxy:3128",
        }));
    }

    private static List<string> Validate(SchemaRegistryOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? string.Empty)];
    }
}
