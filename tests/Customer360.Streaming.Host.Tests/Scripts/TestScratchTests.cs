using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Scripts;

/// <summary>
/// The suite's temporary folders (topology copies, state, the processors' working folder) go when the run ends: runs
/// of <c>./scripts/test.sh</c> had left hundreds of megabytes of RocksDB state and dozens of folders in /tmp.
/// </summary>
public sealed class TestScratchTests
{
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
}
