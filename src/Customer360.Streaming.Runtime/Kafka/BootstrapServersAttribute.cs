using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>Validates a <c>host:port[,host:port...]</c> list so a typo fails at startup, not at first connect.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BootstrapServersAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text || string.IsNullOrWhiteSpace(text))
        {
            // [Required] reports the missing value with its own message.
            return ValidationResult.Success;
        }

        var problem = Check(text);
        return problem is null
            ? ValidationResult.Success
            : new ValidationResult($"Kafka:BootstrapServers is invalid: {problem}", [validationContext.MemberName ?? "BootstrapServers"]);
    }

    /// <summary>Returns what is wrong with a bootstrap list, or null when it is well formed.</summary>
    public static string? Check(string bootstrapServers)
    {
        foreach (var raw in bootstrapServers.Split(','))
        {
            var entry = raw.Trim();
            var withoutScheme = entry.Contains("://", StringComparison.Ordinal) ? entry[(entry.IndexOf("://", StringComparison.Ordinal) + 3)..] : entry;
            var colon = withoutScheme.LastIndexOf(':');
            if (entry.Length == 0)
            {
                return "an entry is empty (expected host:port)";
            }

            if (colon <= 0 || colon == withoutScheme.Length - 1)
            {
                return $"'{entry}' is not host:port";
            }

            if (!int.TryParse(withoutScheme.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
            {
                return $"'{entry}' has no port between 1 and 65535";
            }

            if (withoutScheme[..colon].Any(char.IsWhiteSpace))
            {
                return $"'{entry}' has white space in its host";
            }
        }

        return null;
    }
}
