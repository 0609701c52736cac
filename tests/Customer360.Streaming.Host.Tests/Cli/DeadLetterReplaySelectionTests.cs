using Confluent.Kafka;
using Customer360.Streaming.Host.Cli;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>What <c>c360 dead-letters replay --dry-run</c> says about the classes it was asked for.</summary>
public sealed class DeadLetterReplaySelectionTests
{
    [Fact]
    public void A_class_no_dead_letter_on_the_topic_has_is_named_with_the_classes_it_has()
    {
        // A misspelt class (InvalidValu) replayed nothing and said only "left alone: 2", as if there were nothing to do.
        using var replay = DryRun("InvalidValu", "MisPartitionedKey");
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", "InvalidValue"));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", "UnknownSchemaId"));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", "MisPartitionedKey"));

        var lines = replay.Lines().ToList();

        Assert.Contains("would replay 1 dead letter: c360.relationship.v1 1", lines);
        Assert.Contains("no dead letter of class InvalidValu on the topic (it has InvalidValue, MisPartitionedKey, UnknownSchemaId)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("class MisPartitionedKey on", StringComparison.Ordinal));
    }

    [Fact]
    public void A_record_dead_lettered_twice_is_sent_once()
    {
        using var replay = DryRun("InvalidValue");
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", originOffset: 3));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", originOffset: 3));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", originOffset: 4));

        var lines = replay.Lines().ToList();

        Assert.Contains("would replay 2 dead letters: c360.relationship.v1 2", lines);
        Assert.Contains("each record once: 1 more dead letter of a record already among them (dead-lettered again after its input was read again)", lines);
    }

    [Fact]
    public void The_note_names_a_few_of_the_topics_classes_printable_however_many_were_forged()
    {
        using var replay = DryRun("InvalidValue");
        for (var i = 0; i < 40; i++)
        {
            replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", $"Forged{i:00}\u001b[2J"));
        }

        var note = Assert.Single(replay.Lines(), l => l.StartsWith("no dead letter of class InvalidValue", StringComparison.Ordinal));

        Assert.EndsWith(", …)", note, StringComparison.Ordinal);
        Assert.Equal(12, note.Split("Forged").Length - 1);
        Assert.DoesNotContain(note, char.IsControl);
    }

    [Fact]
    public void Events_older_than_the_grace_period_are_counted_as_ones_the_processor_may_judge_late()
    {
        // A replay a day after the failure reported every event as replayed, and the processor then counted most of
        // them late and applied none: the report gave no hint.
        var now = TestDeadLetters.Grace.NowMs;
        using var replay = DryRun("InvalidValue");
        replay.Add(Record(), TestDeadLetters.Letter("c360.clickstream.v1", timestampMs: now - 700_000));
        replay.Add(Record(), TestDeadLetters.Letter("c360.clickstream.v1", timestampMs: now - 100_000));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", timestampMs: now - 86_400_000));
        replay.Add(Record(), TestDeadLetters.Letter("c360.identity.v1", timestampMs: now - 86_400_000));

        var lines = replay.Lines().ToList();

        Assert.Contains("would replay 4 dead letters: c360.clickstream.v1 2, c360.identity.v1 1, c360.relationship.v1 1", lines);
        Assert.Contains(
            "older than the grace period (Context:GraceSeconds, 600 s): 2 events; the processor applies such an event only if its customer has no event "
            + "of the same kind newer by more than that, and counts it late otherwise (c360_records_late_total)",
            lines);
    }

    [Fact]
    public void Events_within_the_grace_period_bring_no_note()
    {
        var now = TestDeadLetters.Grace.NowMs;
        using var replay = DryRun("InvalidValue");
        replay.Add(Record(), TestDeadLetters.Letter("c360.beacon.v1", timestampMs: now - 599_000));
        replay.Add(Record(), TestDeadLetters.Letter("c360.identity.v1", timestampMs: now - 86_400_000));

        Assert.DoesNotContain(replay.Lines(), l => l.Contains("grace", StringComparison.Ordinal));
    }

    /// <summary>A dry run of the shipped topics for <paramref name="classes"/>, judged at <see cref="TestDeadLetters.Grace"/>.</summary>
    private static DeadLetterReplay DryRun(params string[] classes) =>
        new(TestDeadLetters.ShippedTargets, new DeadLetterSelection(classes.ToHashSet(StringComparer.Ordinal), null), dryRun: true, TestDeadLetters.Grace);

    private static ConsumeResult<byte[]?, byte[]?> Record() =>
        new() { Message = new Message<byte[]?, byte[]?> { Key = "c-1"u8.ToArray(), Value = [1], Headers = [] } };
}
