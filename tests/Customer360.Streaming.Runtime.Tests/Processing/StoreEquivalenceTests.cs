using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// The RocksDB store must answer exactly as the in-memory store does, whatever a processor and the commit cycle do in
/// whatever order: reads as bytes and as decoded objects, puts of both kinds, deletes, replay checks, changes taken for
/// the changelog (with the newest record that caused each) and acknowledged later (with more changes in between), more keys than its decoded cache holds, and a
/// reopen from disk. Random sequences from fixed seeds, compared after every step. Half the steps reuse the previous
/// step's key, as a processor asks about one key several times per record (the store remembers its last look).
/// </summary>
public sealed class StoreEquivalenceTests
{
    private readonly string _folder = TestScratch.Run.NewDirectory("c360-equivalence-");

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 60)]
    [InlineData(3, 24_000)]
    public void RocksDb_store_answers_as_the_in_memory_store_under_any_interleaving(int seed, int keySpace)
    {
        var random = new Random(seed);
        RecordOrigin? origin = null;
        var timestamp = StoreChange.NoInputRecord;
        var memory = new InMemoryKeyValueStore("counts", () => origin, () => timestamp);
        var rocks = OpenRocks(() => origin, () => timestamp);
        var taken = false;
        var key = "k0";
        try
        {
            for (var step = 0; step < 60_000; step++)
            {
                key = random.Next(2) == 0 ? key : $"k{random.Next(keySpace)}";
                origin = new RecordOrigin("in", random.Next(3), step);

                // Out of order, and now and then a timer's change (no input record).
                timestamp = random.Next(10) == 0 ? StoreChange.NoInputRecord : random.Next(1_000_000);
                var operation = random.Next(100);
                var what = $"step {step} (seed {seed}): operation {operation} on {key}";
                switch (operation)
                {
                    case < 25:
                        var (expected, actual) = (Text(memory.Get(key)), Text(rocks.Get(key)));
                        Assert.True(expected == actual, $"{what}: '{expected}' in memory, '{actual}' in RocksDB");
                        break;
                    case < 45:
                        var (expectedWord, actualWord) = (memory.GetDecoded(key, Words.Instance)?.Text, rocks.GetDecoded(key, Words.Instance)?.Text);
                        Assert.True(expectedWord == actualWord, $"{what}: '{expectedWord}' in memory, '{actualWord}' in RocksDB");
                        break;
                    case < 60:
                        var value = Encoding.UTF8.GetBytes($"bytes {step}");
                        memory.Put(key, value);
                        rocks.Put(key, value);
                        break;
                    case < 80:
                        // Read, then put a new object: what a typed processor does.
                        var before = rocks.GetDecoded(key, Words.Instance)?.Text ?? "";
                        memory.PutDecoded(key, new Word(before.Length > 40 ? $"w{step}" : $"{before}+{step}"), Words.Instance);
                        rocks.PutDecoded(key, new Word(before.Length > 40 ? $"w{step}" : $"{before}+{step}"), Words.Instance);
                        break;
                    case < 88:
                        memory.Delete(key);
                        rocks.Delete(key);
                        break;
                    case < 94:
                        Assert.True(memory.HasApplied(key) == rocks.HasApplied(key), what);
                        break;
                    case < 97 when !taken:
                        Assert.Equal(Changes(memory.TakeChanges()), Changes(rocks.TakeChanges()));
                        taken = true;
                        break;
                    case < 99 when taken:
                        memory.ChangesDurable();
                        rocks.ChangesDurable();
                        taken = false;
                        break;
                    case 99 when !taken && rocks.PendingChanges == 0:
                        // A clean close and reopen: what the task kept on disk is all it has.
                        rocks.Dispose();
                        rocks = OpenRocks(() => origin, () => timestamp);
                        break;
                }
            }

            Assert.Equal(memory.All().Select(e => (e.Key, Text(e.Value))), rocks.All().Select(e => (e.Key, Text(e.Value))));
        }
        finally
        {
            rocks.Dispose();
        }
    }

    private RocksDbKeyValueStore OpenRocks(Func<RecordOrigin?> origin, Func<long> timestamp) => new("counts", Path.Combine(_folder, "counts"), origin, timestamp);

    private static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);

    private static SortedDictionary<string, (string? Value, long CausedAtMs)> Changes(IReadOnlyList<TakenChange> changes) =>
        new(changes.ToDictionary(c => c.Key, c => (c.Value is null ? null : Convert.ToHexString(c.Value), c.CausedAtMs)), StringComparer.Ordinal);

    private sealed record Word(string Text);

    private sealed class Words : StateSerde<Word>
    {
        public static readonly Words Instance = new();

        public override byte[] Encode(Word value) => Encoding.UTF8.GetBytes(value.Text);

        public override Word Decode(ReadOnlySpan<byte> data) => new(Encoding.UTF8.GetString(data));
    }
}
