using Customer360.Streaming.Host.Cli;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>What <c>c360 dead-letters summary</c> prints from the headers it finds, which anyone able to write to the topic can forge.</summary>
public sealed class DeadLetterTallyTests
{
    [Fact]
    public void Counts_by_class_stage_and_input_with_what_a_replay_could_send()
    {
        var tally = new DeadLetterTally(TestDeadLetters.ShippedTargets);
        tally.Add(TestDeadLetters.Letter("c360.location.v1", "InvalidValue", "validate", 1_000));
        tally.Add(TestDeadLetters.Letter("c360.location.v1", "InvalidValue", "validate", 3_000));
        tally.Add(TestDeadLetters.Letter("c360-identity-commands-repartition", "InvalidValue", "validate", 2_000));
        tally.Add(null);

        var lines = tally.Lines("dlq").ToList();

        Assert.Equal(
            [
                "dead letters on dlq: 4; the failed records were written 1970-01-01 00:00:01Z to 1970-01-01 00:00:03Z",
                "  InvalidValue at validate: 3 (c360-identity-commands-repartition 1, c360.location.v1 2)",
                "  without origin headers (not written by c360): 1",
                "replayable: 2 of 4 (c360 dead-letters replay --class <classes> sends them back to the input they entered by)",
            ],
            lines);
    }

    [Fact]
    public void A_record_dead_lettered_again_counts_as_a_repeat_and_as_one_a_replay_could_send()
    {
        // Read again after a crash before its offset was committed (or on every restart of exactly_once_v2 on the
        // embedded broker), a record fails again and is dead-lettered again: the summary counted each copy.
        var tally = new DeadLetterTally(TestDeadLetters.ShippedTargets);
        tally.Add(TestDeadLetters.Letter("c360.location.v1", "InvalidValue", "validate", 1_000, originOffset: 7));
        tally.Add(TestDeadLetters.Letter("c360.location.v1", "InvalidValue", "validate", 1_000, originOffset: 7));
        tally.Add(TestDeadLetters.Letter("c360.location.v1", "InvalidValue", "validate", 1_000, originOffset: 8));

        var lines = tally.Lines("dlq").ToList();

        Assert.Contains("  InvalidValue at validate: 3 (c360.location.v1 3)", lines);
        Assert.Contains("  of these, 1 repeat a record dead-lettered before (its input was read again, after a crash or a restart); a replay sends each record once", lines);
        Assert.Contains("replayable: 2 of 3 (c360 dead-letters replay --class <classes> sends them back to the input they entered by)", lines);
    }

    [Fact]
    public void Forged_header_text_reaches_the_terminal_without_control_characters_and_cut_short()
    {
        // A record with "\u001b[2J" in its class would have cleared the operator's screen; a megabyte-long one filled it.
        var tally = new DeadLetterTally(TestDeadLetters.ShippedTargets);
        tally.Add(TestDeadLetters.Letter("topic\u001b]0;owned\u0007", "Evil\u001b[2J\r\n" + new string('x', 1_000_000), "validate", 1_000));

        var text = string.Join('\n', tally.Lines("dlq"));

        Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
        Assert.Contains("Evil?[2J??xxx", text, StringComparison.Ordinal);
        Assert.Contains("topic?]0;owned?", text, StringComparison.Ordinal);
        Assert.True(text.Length < 2_000, $"{text.Length} characters printed");
    }
}
