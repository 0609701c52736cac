using CsCheck;
using Customer360.Streaming.Domain.Context;

namespace Customer360.Streaming.Domain.Tests.Context;

/// <summary>
/// The recent-event memory shares buffers between versions: every version must still hold exactly what its definition
/// says (the events applied so far in event-time order, the newest ones up to the capacity), whatever was derived from
/// it later, in any order, on any thread.
/// </summary>
public sealed class RecentEventsTests
{
    /// <summary>Few times and ids, so equal times (settled by id) and events older than the window come up often.</summary>
    private static readonly Gen<AppliedEvent> Events = Gen.Select(Gen.Int[0, 40], Gen.Long[0, 30]).Select((id, at) => new AppliedEvent(new Guid(id, 0, 0, new byte[8]), at));

    [Fact]
    public void Each_version_holds_the_newest_events_in_order_up_to_the_capacity()
    {
        Gen.Select(Events.Array[0, 60], Gen.Int[0, 9]).Sample((events, capacity) =>
        {
            var versions = new List<(RecentEvents Version, List<AppliedEvent> Expected)> { (RecentEvents.Empty, []) };
            foreach (var applied in events.DistinctBy(e => e.Id))
            {
                var (previous, expected) = versions[^1];
                versions.Add((previous.With(applied, capacity), Definition(expected, applied, capacity)));
            }

            // Checked only after every version was made: a later version writing into an earlier one's window shows here.
            foreach (var (version, expected) in versions)
            {
                Assert.Equal(expected, version);
                Assert.Equal(expected.Count, version.Count);
            }
        }, iter: 3_000);
    }

    [Fact]
    public void Versions_made_from_the_same_version_do_not_see_each_others_events()
    {
        Gen.Select(Events.Array[0, 20], Events.Array[1, 8], Gen.Int[1, 9]).Sample((history, branches, capacity) =>
        {
            var (start, expected) = (RecentEvents.Empty, new List<AppliedEvent>());
            foreach (var applied in history.DistinctBy(e => e.Id))
            {
                (start, expected) = (start.With(applied, capacity), Definition(expected, applied, capacity));
            }

            var made = branches.Select(applied => (Version: start.With(applied, capacity), Expected: Definition(expected, applied, capacity))).ToList();

            Assert.Equal(expected, start);
            foreach (var (version, branchExpected) in made)
            {
                Assert.Equal(branchExpected, version);
            }
        }, iter: 3_000);
    }

    [Fact]
    public void Versions_made_from_the_same_version_on_many_threads_at_once_each_hold_their_own_event()
    {
        // Nine events leave the buffer room after them (it grows 4, then 10 slots), so every thread races for that slot.
        var start = RecentEvents.Empty;
        for (var i = 0; i < 9; i++)
        {
            start = start.With(new AppliedEvent(Guid.NewGuid(), i), capacity: 64);
        }

        for (var round = 0; round < 50; round++)
        {
            var threads = Environment.ProcessorCount * 4;
            using var go = new Barrier(threads);
            var made = new RecentEvents[threads];
            var newest = Enumerable.Range(0, threads).Select(t => new AppliedEvent(Guid.NewGuid(), 100 + t)).ToArray();
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                go.SignalAndWait();
                made[t] = start.With(newest[t], capacity: 64);
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());

            for (var t = 0; t < threads; t++)
            {
                Assert.Equal([.. start, newest[t]], made[t]);
            }
        }
    }

    [Fact]
    public void An_event_older_than_a_full_memory_leaves_it_as_it_was_and_a_duplicate_is_recognised()
    {
        var memory = RecentEvents.Create([new AppliedEvent(Guid.Parse("00000000-0000-0000-0000-000000000002"), 20), new AppliedEvent(Guid.Parse("00000000-0000-0000-0000-000000000003"), 30)]);

        var older = memory.With(new AppliedEvent(Guid.Parse("00000000-0000-0000-0000-000000000001"), 10), capacity: 2);

        Assert.Equal(memory, older);
        Assert.True(memory.Contains(Guid.Parse("00000000-0000-0000-0000-000000000003")));
        Assert.False(older.Contains(Guid.Parse("00000000-0000-0000-0000-000000000001")));
    }

    /// <summary>What a memory holds after <paramref name="applied"/>: everything so far plus it, in order, the newest <paramref name="capacity"/>.</summary>
    private static List<AppliedEvent> Definition(List<AppliedEvent> before, AppliedEvent applied, int capacity) =>
        [.. before.Append(applied).Order(RecentEvents.Order).TakeLast(capacity)];
}
