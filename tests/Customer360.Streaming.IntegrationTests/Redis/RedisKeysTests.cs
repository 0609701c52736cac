using Customer360.Streaming.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>The key layout is written and read in one place: a context key gives back its id, anything else gives nothing.</summary>
public sealed class RedisKeysTests
{
    private static readonly RedisKeys Keys = new("c360");

    [Theory]
    [InlineData("cust-1")]
    [InlineData("anon:web:abc")]
    [InlineData("a}b")]
    public void A_ContextKey_GivesBackItsId(string contextId) => Assert.Equal(contextId, Keys.ContextIdOf(Keys.Context(contextId)));

    [Theory]
    [InlineData("c360:{store:s1}:presence")]
    [InlineData("other:{cust-1}:context")]
    [InlineData("c360:{cust-1}:contexts")]
    [InlineData("c360:cust-1:context")]
    [InlineData("c360:{}:context")]
    public void AnyOtherKey_GivesNothing(string key) => Assert.Null(Keys.ContextIdOf(key));
}
