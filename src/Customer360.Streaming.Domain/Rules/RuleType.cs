namespace Customer360.Streaming.Domain.Rules;

/// <summary>The types of the rule language. Every expression has exactly one, checked when the rule is compiled.</summary>
public enum RuleType
{
    Bool,

    Number,

    /// <summary>A length of time: literals like <c>30s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c>; variables like <c>context.cart.updatedAgo</c>.</summary>
    Duration,

    Text,

    TextList,
}

/// <summary>A rule that does not parse or does not type-check; <see cref="Position"/> is the 1-based column.</summary>
public sealed class RuleSyntaxException : Exception
{
    public RuleSyntaxException(string message, int position)
        : base($"column {position}: {message}") => Position = position;

    public RuleSyntaxException()
    {
    }

    public RuleSyntaxException(string message)
        : base(message)
    {
    }

    public RuleSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Position { get; }
}
