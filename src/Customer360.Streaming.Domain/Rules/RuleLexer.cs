using System.Globalization;

namespace Customer360.Streaming.Domain.Rules;

internal enum TokenKind
{
    Number,
    Duration,
    Text,
    Identifier,
    And,
    Or,
    Not,
    In,

    /// <summary><c>x within 30m</c>: a duration at most that long (reads better than <c>&lt;=</c> for "how long ago").</summary>
    Within,
    True,
    False,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Comma,
    End,
}

/// <param name="Position">1-based column of the token's first character.</param>
internal readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0);

/// <summary>Splits a rule condition into tokens. Durations are numbers with a unit suffix: ms, s, m, h, d.</summary>
internal static class RuleLexer
{
    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            var position = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < source.Length && (char.IsAsciiDigit(source[i]) || source[i] == '.'))
                {
                    i++;
                }

                var digits = source[start..i];
                if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new RuleSyntaxException($"'{digits}' is not a number", position);
                }

                var unitStart = i;
                while (i < source.Length && char.IsAsciiLetter(source[i]))
                {
                    i++;
                }

                var unit = source[unitStart..i];
                if (unit.Length == 0)
                {
                    tokens.Add(new Token(TokenKind.Number, digits, position, value));
                }
                else
                {
                    var millis = unit switch
                    {
                        "ms" => 1d,
                        "s" => 1_000d,
                        "m" => 60_000d,
                        "h" => 3_600_000d,
                        "d" => 86_400_000d,
                        _ => throw new RuleSyntaxException($"unknown duration unit '{unit}' (use ms, s, m, h or d)", unitStart + 1),
                    };
                    tokens.Add(new Token(TokenKind.Duration, source[start..i], position, value * millis));
                }
            }
            else if (c == '\'')
            {
                var end = source.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new RuleSyntaxException("text is not closed with '", position);
                }

                tokens.Add(new Token(TokenKind.Text, source[(i + 1)..end], position));
                i = end + 1;
            }
            else if (char.IsAsciiLetter(c))
            {
                var start = i;
                while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] is '.' or '_'))
                {
                    i++;
                }

                var word = source[start..i];
                tokens.Add(new Token(
                    word switch
                    {
                        "and" => TokenKind.And,
                        "or" => TokenKind.Or,
                        "not" => TokenKind.Not,
                        "in" => TokenKind.In,
                        "within" => TokenKind.Within,
                        "true" => TokenKind.True,
                        "false" => TokenKind.False,
                        _ => TokenKind.Identifier,
                    },
                    word,
                    position));
            }
            else
            {
                var two = i + 1 < source.Length ? source.Substring(i, 2) : string.Empty;
                var (kind, length) = two switch
                {
                    "==" => (TokenKind.Equal, 2),
                    "!=" => (TokenKind.NotEqual, 2),
                    "<=" => (TokenKind.LessOrEqual, 2),
                    ">=" => (TokenKind.GreaterOrEqual, 2),
                    _ => c switch
                    {
                        '<' => (TokenKind.Less, 1),
                        '>' => (TokenKind.Greater, 1),
                        '(' => (TokenKind.OpenParen, 1),
                        ')' => (TokenKind.CloseParen, 1),
                        '[' => (TokenKind.OpenBracket, 1),
                        ']' => (TokenKind.CloseBracket, 1),
                        ',' => (TokenKind.Comma, 1),
                        _ => throw new RuleSyntaxException($"unexpected character '{c}'", position),
                    },
                };
                tokens.Add(new Token(kind, source.Substring(i, length), position));
                i += length;
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, source.Length + 1));
        return tokens;
    }

    /// <summary>
    /// The tokens one space apart, texts quoted: two conditions with the same canonical text are the same condition,
    /// however their lines are wrapped or spaced.
    /// </summary>
    public static string Canonical(IEnumerable<Token> tokens) => string.Join(' ', tokens
        .Where(t => t.Kind != TokenKind.End)
        .Select(t => t.Kind == TokenKind.Text ? $"'{t.Text.Replace("'", "''", StringComparison.Ordinal)}'" : t.Text));
}
