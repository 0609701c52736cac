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
        using var replay = new DeadLetterReplay(TestDeadLetters.ShippedTargets, new DeadLetterSelection(new HashSet<string> { "InvalidValu", "MisPartitionedKey" }, null), dryRun: true);
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", "InvalidValue"));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", "UnknownSchemaId"));
        replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", "MisPartitionedKey"));

        var lines = replay.Lines().ToList();

        Assert.Contains("would replay 1 dead letter: c360.relationship.v1 1", lines);
        Assert.Contains("no dead letter of class InvalidValu on the topic (it has InvalidValue, MisPartitionedKey, UnknownSchemaId)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("class MisPartitionedKey on", StringComparison.Ordinal));
    }

    [Fact]
    public void The_note_names_a_few_of_the_topics_classes_printable_however_many_were_forged()
    {
        using var replay = new DeadLetterReplay(TestDeadLetters.ShippedTargets, new DeadLetterSelection(new HashSet<string> { "InvalidValue" }, null), dryRun: true);
        for (var i = 0; i < 40; i++)
        {
            replay.Add(Record(), TestDeadLetters.Letter("c360.relationship.v1", $"Forged{i:00}\u001b[2J"));
        }

        var note = Assert.Single(replay.Lines(), l => l.StartsWith("no dead letter of class InvalidValue", StringComparison.Ordinal));

        Assert.EndsWith(", …)", note, StringComparison.Ordinal);
        Assert.Equal(12, note.Split("Forged").Length - 1);
        Assert.DoesNotContain(note, char.IsControl);
    }

    private static ConsumeResult<byte[]?, byte[]?> Record() =>
        new() { Message = new Message<byte[]?, byte[]?> { Key = "c-1"u8.ToArray(), Value = [1], Headers = [] } };
}
