using Avro.Generic;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Host.Web;

/// <summary>One condition of a rule as the decision saw it: the expression, the value it met, and whether it held.</summary>
public sealed record ConditionSeen(string Expression, string Actual, bool Passed);

/// <summary>
/// A decision the processor published on the decisions topic: a trigger fired, or a match held back, with the
/// conditions it saw and, when held back, why.
/// </summary>
public sealed record ObservedDecision(
    long TimeMs, string RuleId, string CustomerId, bool Fired, string Reason, string Detail, IReadOnlyList<ConditionSeen> Conditions, string? TriggerId)
{
    /// <summary>The decision as one line: what the conditions saw when it fired, or why it was held back.</summary>
    public string Explanation => Fired
        ? string.Join("; ", Conditions.Select(c => $"{c.Expression} ({c.Actual})"))
        : $"held back: {Detail.Trim()}";

    /// <summary>Reads a decision-record.</summary>
    /// <exception cref="InvalidCastException">A field does not have the contract's type.</exception>
    public static ObservedDecision Decode(GenericRecord decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var conditions = ((object[])decision["explanation"]).Cast<GenericRecord>()
            .Select(c => new ConditionSeen((string)c["expression"], (string)c["actual"], (bool)c["passed"]))
            .ToList();
        return new ObservedDecision(
            AvroTimestamps.ToEpochMillis(decision["eventTime"]) ?? throw new InvalidCastException("eventTime is not a timestamp"),
            (string)decision["ruleId"],
            (string)decision["customerId"],
            ((GenericEnum)decision["outcome"]).Value == "FIRED",
            ((GenericEnum)decision["reason"]).Value,
            (string)decision["detail"],
            conditions,
            decision["triggerId"] as string);
    }
}
