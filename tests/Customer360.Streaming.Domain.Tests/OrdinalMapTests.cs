using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Tests;

/// <summary>The shared empty ordinal map every new context, view and trigger state starts from.</summary>
public sealed class OrdinalMapTests
{
    [Fact]
    public void Keys_added_to_the_empty_map_are_in_ordinal_order_as_the_encodings_need()
    {
        var map = OrdinalMap.Empty<long>().Add("b", 2).Add("B", 1).Add("a", 3);

        Assert.Equal(["B", "a", "b"], map.Keys);
    }

    [Fact]
    public void New_trigger_states_and_contexts_share_the_empty_maps_instead_of_building_one_each()
    {
        var (first, second) = (new TriggerState(), new TriggerState());

        Assert.Same(first.LastByRule, second.LastByRule);
        Assert.Same(first.SequenceMarks, second.SequenceMarks);
        Assert.Same(CustomerContext.Empty("c1").Segments, CustomerContext.Empty("c2").Segments);
    }
}
