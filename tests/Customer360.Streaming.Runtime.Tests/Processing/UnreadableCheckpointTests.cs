using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// A task's checkpoint file that is there but cannot be read (edited, or written by something else) cannot say what
/// the local stores hold, so they are wiped and restored from the changelogs' beginning. Found by hand: that happened
/// without a word, and an operator saw only a restart that restored everything.
/// </summary>
public sealed class UnreadableCheckpointTests
{
    private readonly string _stateDirectory = TestScratch.Run.NewDirectory("c360-checkpoint-");
    private readonly StreamTopology _topology = CountingProcessor.Topology("app", "in", "out");

    [Theory]
    [InlineData("edited by hand\n", "its first line is not 'c360-checkpoint 1'")]
    [InlineData("c360-checkpoint 1\ncounts 12\ncounts-twelve\n", "line 3 is not '<store> <offset>'")]
    [InlineData("c360-checkpoint 1\ncounts 99999999999999999999\n", "line 2 is not '<store> <offset>'")]
    public void An_unreadable_checkpoint_wipes_the_stores_and_says_why(string content, string why)
    {
        var directory = new TaskStateDirectory(_stateDirectory, Sub.Name, 0);
        directory.WriteCheckpoint(new Dictionary<string, long> { [CountingProcessor.Store] = 41 });
        File.WriteAllText(Path.Combine(directory.Path, ".checkpoint"), content);

        var local = TaskLocalState.Open(Root, Sub, 0, TimeProvider.System);

        Assert.Equal(0, local.RestoreFrom(CountingProcessor.Store));
        Assert.Equal(why, local.UnreadableCheckpoint);
    }

    [Fact]
    public void A_missing_checkpoint_is_no_news_and_a_readable_one_is_used()
    {
        var first = TaskLocalState.Open(Root, Sub, 0, TimeProvider.System);
        new TaskStateDirectory(_stateDirectory, Sub.Name, 1).WriteCheckpoint(new Dictionary<string, long> { [CountingProcessor.Store] = 41 });
        var second = TaskLocalState.Open(Root, Sub, 1, TimeProvider.System);

        Assert.Null(first.UnreadableCheckpoint);
        Assert.Null(second.UnreadableCheckpoint);
        Assert.Equal(42, second.RestoreFrom(CountingProcessor.Store));
    }

    private SubTopology Sub => _topology.SubTopologies.Single();

    private LocalStateRoot Root => new(_stateDirectory, RocksDbMemory.OfMebibytes(16));
}
