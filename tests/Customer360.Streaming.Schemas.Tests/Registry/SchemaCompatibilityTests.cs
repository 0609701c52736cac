using Avro;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Schemas.Tests.Registry;

public sealed class SchemaCompatibilityTests
{
    private const string V1 = """{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}}]}""";
    private const string AddedWithDefault = """{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},{"name":"b","type":"int","default":0}]}""";
    private const string AddedWithoutDefault = """{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},{"name":"b","type":"int"}]}""";
    private const string RemovedField = """{"type":"record","name":"R","fields":[{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}}]}""";
    private const string ChangedType = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}}]}""";
    private const string EnumSymbolRemoved = """{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED"]}}]}""";

    [Theory]
    [InlineData(AddedWithDefault, CompatibilityLevel.Backward, true)]
    [InlineData(AddedWithDefault, CompatibilityLevel.Full, true)]
    [InlineData(AddedWithoutDefault, CompatibilityLevel.Backward, false)]
    [InlineData(AddedWithoutDefault, CompatibilityLevel.Forward, true)]
    [InlineData(RemovedField, CompatibilityLevel.Backward, true)]
    [InlineData(RemovedField, CompatibilityLevel.Forward, false)]
    [InlineData(ChangedType, CompatibilityLevel.Backward, false)]
    [InlineData(ChangedType, CompatibilityLevel.None, true)]
    [InlineData(EnumSymbolRemoved, CompatibilityLevel.Backward, false)]
    public void Check_CandidateAgainstV1_FollowsAvroResolutionRules(string candidate, CompatibilityLevel level, bool compatible)
    {
        var result = SchemaCompatibility.Check(level, Schema.Parse(candidate), [Schema.Parse(V1)]);

        Assert.Equal(compatible, result.IsCompatible);
        Assert.Equal(compatible, result.Messages.Count == 0);
    }

    [Fact]
    public void Check_TransitiveLevel_ComparesWithEveryEarlierVersion_NonTransitiveOnlyWithTheLatest()
    {
        // v2 drops 'a'; v3 re-adds 'a' as an int without default: readable against v2, not against v1.
        var v2 = Schema.Parse(RemovedField);
        var v3 = Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},{"name":"a","type":"int","default":0}]}""");

        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Backward, v3, [Schema.Parse(V1), v2]).IsCompatible);
        var transitive = SchemaCompatibility.Check(CompatibilityLevel.BackwardTransitive, v3, [Schema.Parse(V1), v2]);
        Assert.False(transitive.IsCompatible);
        Assert.Contains(transitive.Messages, m => m.Contains("version 1", StringComparison.Ordinal));
    }
}
