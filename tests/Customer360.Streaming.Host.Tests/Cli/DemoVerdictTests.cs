using Customer360.Streaming.Host.Cli;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>The demo's last line: OK, or each thing that went wrong, named with its figures.</summary>
public sealed class DemoVerdictTests
{
    private static readonly DemoVerdict Clean = new(CaughtUp: true, Committed: 17_909, Produced: 17_909, DeadLetters: 0, Contexts: 1_000, Customers: 1_000, ProcessorExitCode: 0);

    [Fact]
    public void A_run_that_committed_everything_with_a_context_per_customer_and_no_dead_letter_passes()
    {
        Assert.True(Clean.Passed);
        Assert.StartsWith("result: OK - ", Clean.ResultLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_held_up_by_redis_names_what_was_not_committed_and_what_is_missing_in_redis_and_nothing_else()
    {
        var verdict = Clean with { CaughtUp = false, Committed = 12_000, Contexts = 640 };

        Assert.False(verdict.Passed);
        Assert.Equal(
            "result: FAILED - the processor had committed 12000 of the 17909 events 30 s after the last was produced; 640 of 1000 customers have a context in Redis",
            verdict.ResultLine());
    }

    [Fact]
    public void Dead_letters_a_silent_redis_and_a_failed_processor_are_each_named()
    {
        var failures = (Clean with { DeadLetters = 3, Contexts = null, ProcessorExitCode = 1 }).Failures();

        Assert.Equal(
            [
                "3 records were dead-lettered (c360 dead-letters summary says why)",
                "Redis did not answer when the contexts were counted",
                "the processor exited with code 1; its log above says why",
            ],
            failures);
    }

    [Fact]
    public void Records_the_broker_deleted_before_the_processor_read_them_fail_the_run_even_when_everything_was_committed()
    {
        // The committed offsets move past deleted records: "committed everything" alone would have said OK.
        var verdict = Clean with { DeletedUnread = 4_210 };

        Assert.False(verdict.Passed);
        Assert.Equal(
            "result: FAILED - the embedded broker deleted 4210 records before the processor read them (it keeps about 5 MiB per partition, and the processor fell further behind)",
            verdict.ResultLine());
    }

    [Fact]
    public void More_contexts_than_customers_is_not_a_failure()
    {
        // Contexts of identifiers not yet linked to a customer are stored too.
        Assert.True((Clean with { Contexts = 1_012 }).Passed);
    }
}
