using System.Globalization;
using System.Text;

namespace Customer360.Streaming.Domain.Rules;

/// <summary>Durations in the units rules are written in: <c>450ms</c>, <c>2m 58s</c>, <c>3d 4h</c>.</summary>
public static class Durations
{
    private static readonly (long Ms, string Unit)[] Units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s")];

    /// <summary>The two largest non-zero units (enough to read, short enough for a one-line explanation).</summary>
    public static string Format(double milliseconds)
    {
        var ms = (long)Math.Round(Math.Abs(milliseconds));
        var sign = milliseconds < 0 ? "-" : string.Empty;
        if (ms < 1_000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{ms}ms");
        }

        var text = new StringBuilder(sign);
        var parts = 0;
        foreach (var (unitMs, unit) in Units)
        {
            if (ms >= unitMs && parts < 2)
            {
                text.Append(parts > 0 ? " " : string.Empty).Append((ms / unitMs).ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms %= unitMs;
                parts++;
            }
            else if (parts > 0)
            {
                // Two units at most, and adjacent ones only: "1d 3s" would read as precise when it is not.
                parts = 2;
            }
        }

        return text.ToString();
    }

    public static string Format(TimeSpan duration) => Format(duration.TotalMilliseconds);
}
