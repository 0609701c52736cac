using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>One holder at a time, however many try: a refused attempt must not free the lock for the next one.</summary>
public sealed class ProcessLockTests
{
    private readonly string _folder = TestScratch.Run.NewDirectory("c360-lock-");

    [Fact]
    public void An_instance_id_is_held_by_one_holder_through_refused_attempts_and_free_once_it_lets_go()
    {
        var instance = $"instance-{Guid.NewGuid():N}";
        var holder = ProcessLock.Instance("app", instance);

        Assert.Throws<ProcessLockTakenException>(() => ProcessLock.Instance("app", instance));
        // A refused attempt that removed the file would let the next one lock a new file beside the holder's.
        Assert.Throws<ProcessLockTakenException>(() => ProcessLock.Instance("app", instance));
        using (ProcessLock.Instance("other-app", instance))
        {
        }

        holder.Dispose();
        Assert.False(File.Exists(ProcessLock.InstancePath("app", instance)), "the lock's file outlived its holder");
        using var next = ProcessLock.Instance("app", instance);
    }

    [Fact]
    public void A_state_directory_is_held_by_one_holder_through_refused_attempts_and_free_once_it_lets_go()
    {
        var folder = Path.Combine(_folder, "state");
        var holder = ProcessLock.StateDirectory(folder);

        var refused = Assert.Throws<ProcessLockTakenException>(() => ProcessLock.StateDirectory(folder));
        Assert.StartsWith($"Streams:StateDirectory {folder} is in use by another process", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ProcessLockTakenException>(() => ProcessLock.StateDirectory(folder));

        holder.Dispose();
        using var next = ProcessLock.StateDirectory(folder);
    }
}
