namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Text a verb prints that came from records anyone may write (a forged dead-letter header, say): control characters
/// would reach the operator's terminal as commands, and an unbounded value would fill it.
/// </summary>
internal static class TerminalText
{
    private const int MaxLength = 200;

    /// <summary><paramref name="text"/> with each control character as '?', cut to 200 characters with an ellipsis.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cut = text.Length > MaxLength;
        return string.Create(cut ? MaxLength + 1 : text.Length, (text, cut), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.cut && i == span.Length - 1 ? '…' : char.IsControl(state.text[i]) ? '?' : state.text[i];
            }
        });
    }
}
