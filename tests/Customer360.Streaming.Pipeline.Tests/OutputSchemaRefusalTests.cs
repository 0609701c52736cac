using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// The registry refusing the schema of one of our outputs is the deployment's fault, never the input's: the record waits
/// for the registry to be mended, whatever the processing error policy says, and nothing is dead-lettered for it.
/// </summary>
public sealed class OutputSchemaRefusalTests
{
    /// <summary>A record another application registered under the context topic's subject first.</summary>
    private const string ForeignSchema = """{"type":"record","name":"Foreign","namespace":"elsewhere","fields":[{"name":"id","type":"long"}]}""";

    [Theory]
    [InlineData(ErrorPolicy.Fail)]
    [InlineData(ErrorPolicy.DeadLetter)]
    public async Task A_snapshot_schema_the_registry_refuses_holds_the_record_for_a_retry_and_it_applies_once_the_subject_is_mended(ErrorPolicy onProcessingError)
    {
        var h = new PipelineHarness(options: new StreamsOptions { OnProcessingError = onProcessingError });
        var subject = PipelineHarness.Names.Context + "-value";
        await h.Registry.RegisterAsync(subject, ForeignSchema, cancellationToken: TestContext.Current.CancellationToken);
        var profile = h.ProfileOf("c-1", 0);
        var bytes = h.Encode(profile, PipelineHarness.Names.Relationship);

        // Under BACKWARD compatibility the registry answers 409 to our snapshot schema: no input can mend that.
        Assert.Equal(TaskOutcome.RetryLater, h.Driver.PipeInput(PipelineHarness.Names.Relationship, "c-1", bytes, profile.EventTimeMs));
        Assert.Empty(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Null(h.Context("c-1"));

        // An operator lets the subject change; the paused partition delivers the same record again.
        await h.Registry.SetCompatibilityAsync(CompatibilityLevel.None, subject, TestContext.Current.CancellationToken);
        Assert.Equal(TaskOutcome.Processed, h.Driver.PipeInput(PipelineHarness.Names.Relationship, "c-1", bytes, profile.EventTimeMs));

        Assert.Equal(profile.EventId, h.Context("c-1")?.Relationship?.EventId);
        Assert.Empty(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
    }
}
