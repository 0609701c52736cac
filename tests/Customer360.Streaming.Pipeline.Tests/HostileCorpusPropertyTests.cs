using System.Collections.Concurrent;
using System.Globalization;
using CsCheck;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Corpus;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// The generated hostile corpus (<see cref="HostileCorpus"/>) through the whole topology, in process: whatever a
/// producer writes, each record is processed or dead-lettered with a reason an operator can act on, nothing throws,
/// and a valid record afterwards is still applied. CsCheck shrinks a failure to the shortest sequence that shows it.
/// </summary>
public sealed class HostileCorpusPropertyTests
{
    /// <summary>Sequences per run; <c>scripts/hostile-corpus.sh</c> raises it through this variable.</summary>
    private const string IterationsVariable = "C360_CORPUS_ITERATIONS";

    /// <summary>The classes a record may be dead-lettered with; any other is an exception nobody classified.</summary>
    private static readonly HashSet<string> PermanentClasses = new(StringComparer.Ordinal)
    {
        "BadFraming", "DecodeFailure", "IncompatibleSchema", "UnknownSchemaId", "InvalidValue", "TooLarge",
    };

    private static readonly InputTopics Topics = new(
        PipelineHarness.Names.Clickstream, PipelineHarness.Names.Mobile, PipelineHarness.Names.Location, PipelineHarness.Names.Beacon,
        PipelineHarness.Names.Relationship, PipelineHarness.Names.Identity, PipelineHarness.Names.Responses, PipelineHarness.Names.KeyedByCustomer);

    [Fact]
    public void Any_sequence_of_hostile_records_is_processed_or_dead_lettered_with_a_reason_and_a_valid_record_still_applies()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), CultureInfo.InvariantCulture, out var n) ? n : 400;
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        HostileCorpus.Records(Topics, PipelineHarness.T0, customers: 4).Array[1, 12].Sample(
            records =>
            {
                var h = new PipelineHarness(clock: new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(PipelineHarness.T0)), maxFutureSkew: TimeSpan.FromMinutes(5));
                var deadLetters = 0;
                foreach (var record in records)
                {
                    var bytes = record.Mutation.Apply(h.Encode(record.Event, record.Topic, record.Identifier));

                    // Producers stamp records when they send them, whatever event time the value claims.
                    var outcome = h.Driver.PipeInput(record.Topic, record.Key, bytes, PipelineHarness.T0);

                    Assert.NotEqual(TaskOutcome.RetryLater, outcome);
                    // The driver keeps every output; the ones after deadLetters are this record's.
                    foreach (var dead in h.Driver.ReadOutput(h.Topology.DeadLetterTopic).Skip(deadLetters))
                    {
                        deadLetters++;
                        var errorClass = RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorClass) ?? "(none)";
                        Assert.Contains(errorClass, PermanentClasses);
                        outcomes.AddOrUpdate(errorClass, 1, (_, count) => count + 1);
                    }

                    outcomes.AddOrUpdate(outcome.ToString(), 1, (_, count) => count + 1);
                }

                Assert.Equal(TaskOutcome.Processed, h.Profile("after-the-storm", 1_000));
                Assert.Equal("GOLD", h.Context("after-the-storm")?.Relationship?.Tier);
            },
            iter: iterations,
            seed: Environment.GetEnvironmentVariable("C360_CORPUS_SEED"));

        // The corpus is a mix, not noise: valid records are applied and bad ones fail in several distinct ways.
        var summary = string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
        TestContext.Current.SendDiagnosticMessage($"hostile corpus, {iterations} sequences: {summary}");
        Assert.True(outcomes.GetValueOrDefault(nameof(TaskOutcome.Processed)) > 0, summary);
        Assert.True(outcomes.Keys.Count(PermanentClasses.Contains) >= 3, summary);
    }
}
