using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Scripts;

/// <summary>
/// The suite's temporary folders (topology copies, state, the processors' working folder) go when the run ends: runs
/// of <c>./scripts/test.sh</c> had left hundreds of megabytes of RocksDB state and dozens of folders in /tmp.
/// </summary>
public sealed class TestScratchTests
{
    /// <summary>How many files the busy folder of the test below holds at most.</summary>
    private const int BusyFolderFiles = 20;

    [Fact]
    public void Folders_made_for_a_run_are_deleted_with_their_contents_when_the_run_ends()
    {
        var scratch = new TestScratch();
        var kept = scratch.NewDirectory("c360-scratch-test-");
        var deletedByItsTest = scratch.NewDirectory("c360-scratch-test-");
        Directory.CreateDirectory(Path.Combine(kept, "state", "app"));
        File.WriteAllText(Path.Combine(kept, "state", "app", "CURRENT"), "MANIFEST-000001");
        Directory.Delete(deletedByItsTest);

        Assert.StartsWith("c360-scratch-test-", Path.GetFileName(kept), StringComparison.Ordinal);
        scratch.DeleteAll();

        Assert.False(Directory.Exists(kept));
    }

    [Fact]
    public void Processors_of_a_run_share_one_working_folder_which_goes_with_the_run()
    {
        var scratch = new TestScratch();
        var working = scratch.WorkingDirectory;

        Assert.Equal(working, scratch.WorkingDirectory);
        Assert.True(Directory.Exists(working));
        scratch.DeleteAll();
        Assert.False(Directory.Exists(working));
    }

    [Fact]
    public async Task A_folder_a_process_still_writes_to_does_not_fail_the_run_and_the_others_still_go()
    {
        var scratch = new TestScratch();
        var busy = scratch.NewDirectory("c360-scratch-test-");
        var idle = scratch.NewDirectory("c360-scratch-test-");
        // Stopped by the test, or after a minute whatever happens, so a slow deletion can never keep it going.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        // A child process that has not exited yet (a processor's RocksDB, a broker's log) keeps adding files. It
        // writes the same few names over and over: a new name each time grew the folder by tens of thousands of files
        // a second, and each deletion pass over it took longer, up to minutes on a fresh clone's CI run.
        var writer = Task.Run(
            () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        File.WriteAllText(Path.Combine(busy, $"file-{i % BusyFolderFiles}"), "x");
                    }
                    catch (IOException)
                    {
                        // The folder was deleted under it.
                    }
                }
            },
            TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);

        try
        {
            scratch.DeleteAll();
            Assert.False(Directory.Exists(idle));
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
            if (Directory.Exists(busy))
            {
                Directory.Delete(busy, recursive: true);
            }
        }
    }
}
