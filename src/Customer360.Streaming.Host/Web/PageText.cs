using System.Globalization;

namespace Customer360.Streaming.Host.Web;

/// <summary>How the pages write times, ages, amounts and durations: the same everywhere, in invariant culture.</summary>
internal static class PageText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"12 s ago", "4 min ago", "3 h ago", "2 d ago"; "never" before the first time.</summary>
    public static string Age(long nowMs, long thenMs)
    {
        if (thenMs < 0)
        {
            return "never";
        }

        var seconds = Math.Max(0, (nowMs - thenMs) / 1000);
        return seconds switch
        {
            < 60 => string.Create(Invariant, $"{seconds} s ago"),
            < 3_600 => string.Create(Invariant, $"{seconds / 60} min ago"),
            < 86_400 => string.Create(Invariant, $"{seconds / 3_600} h ago"),
            _ => string.Create(Invariant, $"{seconds / 86_400} d ago"),
        };
    }

    /// <summary>A span as "45 s", "12 min", "2 h 5 min".</summary>
    public static string Duration(long milliseconds)
    {
        var seconds = Math.Max(0, milliseconds / 1000);
        return seconds switch
        {
            < 60 => string.Create(Invariant, $"{seconds} s"),
            < 3_600 => string.Create(Invariant, $"{seconds / 60} min"),
            _ => string.Create(Invariant, $"{seconds / 3_600} h {seconds % 3_600 / 60} min"),
        };
    }

    /// <summary>An event time in UTC, to the second.</summary>
    public static string Time(long epochMs) => epochMs < 0
        ? "—"
        : DateTimeOffset.FromUnixTimeMilliseconds(epochMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);

    /// <summary>A time of day in UTC, for lists of recent things.</summary>
    public static string Clock(long epochMs) => DateTimeOffset.FromUnixTimeMilliseconds(epochMs).UtcDateTime.ToString("HH:mm:ss", Invariant);

    public static string Money(decimal value) => value.ToString("0.00", Invariant);

    public static string Number(double value, string format) => value.ToString(format, Invariant);

    public static string Percent(double share) => (share * 100).ToString("0", Invariant) + " %";

    /// <summary>Minutes after midnight as "22:00".</summary>
    public static string TimeOfDay(int minutes) => string.Create(Invariant, $"{minutes / 60:00}:{minutes % 60:00}");

    public static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>A path segment for a link: ids may hold ':' and other characters a URL must escape.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
