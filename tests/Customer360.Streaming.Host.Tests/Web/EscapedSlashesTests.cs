using Customer360.Streaming.Host.Web;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>
/// Route values as Kestrel and routing hand them over (every escape decoded but <c>%2F</c>) turned back into the ids
/// the links escaped. The browser test follows a search to a visitor whose cookie id has a slash.
/// </summary>
public sealed class EscapedSlashesTests
{
    [Theory]
    [InlineData("anon:web:w%2Fab+c==", "/customers/anon%3Aweb%3Aw%2Fab%2Bc%3D%3D/live", "anon:web:w/ab+c==")]
    [InlineData("a%2fb", "/customers/a%2fb?x=1", "a/b")]
    [InlineData("DE%2F1%2F2", "http://pages.example/customers/DE%2F1%2F2/context", "DE/1/2")]
    [InlineData("a%2Fb", "/customers/x/../a%2Fb", "a/b")] // a path Kestrel normalised still has the segment
    [InlineData("100%2F", "/customers/100%252F", "100%2F")] // an escaped percent sign before "2F" is text, not a slash
    [InlineData("a%2Fb", null, "a%2Fb")] // no raw target: the value as routing gave it
    public void An_escaped_slash_becomes_the_slash_the_link_escaped_where_a_segment_of_the_request_shows_one(string routeValue, string? rawTarget, string expected)
    {
        Assert.Equal(expected, EscapedSlashes.AsSent(routeValue, rawTarget));
    }
}
