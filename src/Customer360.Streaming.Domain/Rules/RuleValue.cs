using System.Globalization;

namespace Customer360.Streaming.Domain.Rules;

/// <summary>What a rule value is: unknown, or one of the language's types.</summary>
public enum RuleValueKind : byte
{
    Unknown,
    Bool,
    Number,
    Text,
    TextList,
}

/// <summary>
/// A value of the rule language without boxing: unknown, a boolean, a number (numbers, and durations in milliseconds),
/// text, or a list of text. Variables return one and conditions pass them around by value, so judging an event's
/// rules allocates nothing unless an explanation is asked for.
/// </summary>
public readonly struct RuleValue : IEquatable<RuleValue>
{
    private readonly double _number;
    private readonly object? _reference;

    private RuleValue(RuleValueKind kind, double number, object? reference)
    {
        Kind = kind;
        _number = number;
        _reference = reference;
    }

    public static RuleValue Unknown => default;

    public RuleValueKind Kind { get; }

    public bool IsUnknown => Kind == RuleValueKind.Unknown;

    /// <summary>The boolean, or null when the value is not one (unknown, or another type).</summary>
    public bool? AsBool => Kind == RuleValueKind.Bool ? _number != 0 : null;

    public double Number => Kind == RuleValueKind.Number ? _number : throw new InvalidOperationException($"A {Kind} value is not a number.");

    public string Text => Kind == RuleValueKind.Text ? (string)_reference! : throw new InvalidOperationException($"A {Kind} value is not text.");

    public IReadOnlyList<string> Texts => Kind == RuleValueKind.TextList ? (IReadOnlyList<string>)_reference! : throw new InvalidOperationException($"A {Kind} value is not a list of text.");

    public static implicit operator RuleValue(bool? value) => value is { } b ? new(RuleValueKind.Bool, b ? 1 : 0, null) : default;

    public static implicit operator RuleValue(double? value) => value is { } d ? new(RuleValueKind.Number, d, null) : default;

    public static implicit operator RuleValue(string? value) => value is null ? default : new(RuleValueKind.Text, 0, value);

    /// <summary>A list of text (C# allows no implicit conversion from an interface), or unknown for null.</summary>
    public static RuleValue List(IReadOnlyList<string>? values) => values is null ? default : new(RuleValueKind.TextList, 0, values);

    /// <summary>A value from an object of the language's types (bool, double, string, a list of strings) or null; for scopes kept as objects.</summary>
    public static RuleValue From(object? value) => value switch
    {
        null => default,
        bool b => b,
        double d => d,
        string s => s,
        IReadOnlyList<string> list => List(list),
        _ => throw new ArgumentException($"{value.GetType().Name} is not a rule value.", nameof(value)),
    };

    /// <summary>Whether the list holds <paramref name="text"/> (ordinal), walked by index so nothing is allocated.</summary>
    public bool Holds(string text)
    {
        var list = Texts;
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], text, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Same kind and value: numbers by value, text ordinally, lists by reference (the language never compares lists).</summary>
    public bool Equals(RuleValue other) =>
        Kind == other.Kind && Kind switch
        {
            RuleValueKind.Unknown => true,
            RuleValueKind.Bool or RuleValueKind.Number => _number.Equals(other._number),
            RuleValueKind.Text => string.Equals((string)_reference!, (string)other._reference!, StringComparison.Ordinal),
            _ => ReferenceEquals(_reference, other._reference),
        };

    public override bool Equals(object? obj) => obj is RuleValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, _number, _reference);

    public static bool operator ==(RuleValue left, RuleValue right) => left.Equals(right);

    public static bool operator !=(RuleValue left, RuleValue right) => !left.Equals(right);

    /// <summary>As explanations show it: <c>unknown</c>, <c>true</c>, <c>49.9</c>, <c>'GOLD'</c>, <c>['a', 'b']</c>.</summary>
    public override string ToString() => Kind switch
    {
        RuleValueKind.Unknown => "unknown",
        RuleValueKind.Bool => _number != 0 ? "true" : "false",
        RuleValueKind.Number => _number.ToString("0.###", CultureInfo.InvariantCulture),
        RuleValueKind.Text => $"'{_reference}'",
        _ => "[" + string.Join(", ", Texts.Select(i => $"'{i}'")) + "]",
    };
}
