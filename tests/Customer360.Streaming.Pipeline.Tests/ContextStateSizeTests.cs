using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// What the context changelog has to retain per customer. The simulator's 1,000 customers, with the events of
/// <c>c360 simulate --customers 1000 --rate 150 --duration 150</c>, run through the topology; then each stored
/// context is measured in the compact state encoding and as the public JSON it used to be stored as.
/// </summary>
public sealed class ContextStateSizeTests
{
    [Fact]
    public void The_simulators_contexts_take_at_most_a_kilobyte_each_in_the_state_encoding_and_less_than_a_third_of_their_json()
    {
        var stored = PipelineHarness.Simulated(1_000, seed: 11, events: 22_500).StoredContexts();
        var compact = stored.Select(s => (double)s.Length).ToList();
        var json = stored.Select(s => (double)ContextJson.SerializeToUtf8(ContextState.Decode(s)).Length).ToList();

        Assert.True(stored.Count >= 900, $"{stored.Count} contexts");
        Assert.All(stored, s => Assert.Equal(ContextState.Format3, s[0]));
        Assert.True(compact.Average() <= 1_024, $"{compact.Average():0} bytes per context on average");
        Assert.True(compact.Sum() * 3 < json.Sum(), $"{compact.Sum():0} bytes compact, {json.Sum():0} as JSON");
        // What decoding allocates, about what a context kept decoded takes on the heap (Streams:StateCacheMiB counts encoded bytes).
        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = stored.Select(s => ContextState.Decode(s)).ToList();
        var heapEach = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)decoded.Count;
        TestRunReport.Note(
            $"context state: {stored.Count} simulated contexts, {compact.Average():0} bytes each on average (max {compact.Max():0}) vs {json.Average():0} as JSON ({json.Sum() / compact.Sum():0.0}x); decoding allocates {heapEach:0} bytes each ({heapEach / compact.Average():0.0}x)");
    }
}
