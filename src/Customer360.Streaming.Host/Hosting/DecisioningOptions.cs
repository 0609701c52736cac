using System.ComponentModel.DataAnnotations;
using Customer360.Streaming.Domain.Decisioning;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>How rules that propose offers choose one (configuration section <c>Decisioning</c>).</summary>
public sealed class DecisioningOptions
{
    public const string SectionName = "Decisioning";

    /// <summary>learned (Thompson sampling on responses), priority (the first eligible in the rule's list) or random.</summary>
    /// <remarks>Required as well: a regular expression lets an empty value through, which would quietly mean learned.</remarks>
    [Required(ErrorMessage = "Decisioning:Policy must be learned, priority or random.")]
    [RegularExpression("^(learned|priority|random)$", ErrorMessage = "Decisioning:Policy must be learned, priority or random.")]
    public string Policy { get; set; } = "learned";

    /// <summary>At most this share of a task's learned choices may explore instead of taking the best expected offer.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Decisioning:MaxExplorationShare must be between 0 and 1.")]
    public double MaxExplorationShare { get; set; } = 0.2;

    /// <param name="contextPartitions">Partitions of the customer-keyed topics, across which offer capacities are split.</param>
    public DecisioningSettings ToSettings(int contextPartitions) => new()
    {
        Policy = Policy switch
        {
            "priority" => DecisionPolicy.Priority,
            "random" => DecisionPolicy.Random,
            _ => DecisionPolicy.Learned,
        },
        MaxExplorationShare = MaxExplorationShare,
        ContextPartitions = contextPartitions,
    };
}
