using System.Globalization;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// <c>./scripts/bench.sh --filter '*Latency*'</c>: trigger and Redis latency where users see them, at a steady
/// 1,000 events/s for 60 s. It runs <c>c360 demo</c> (the embedded broker, the processor under at_least_once, a
/// redis-server), whose summary measures from each input record's timestamp to a read_uncommitted consumer of the
/// triggers topic receiving the trigger, and to the context's write to Redis. The population is sized so 1,000
/// journey events per second is what it produces (fewer customers cannot keep that rate). One run with the demo's
/// defaults, then one per knob the README's latency table documents; after each, the floor with the same knobs
/// (<see cref="RawHopLatency"/>): the same three hops with no processing between them. With the defaults also the
/// floor with its commits in the background (what commits off the stream thread could gain) and the floor of two hops
/// (the fewest any processor takes). Last, the defaults once more with the channel events keyed by customer at the
/// source (<c>--keyed-by-customer</c>), whose triggers take those two hops: the two-hop floor is theirs. Then both
/// under exactly_once_v2 (<c>--exactly-once</c>), measured to the commit that made each trigger visible (the embedded
/// broker shows a transaction's records before it commits), with no floor. Keyed by customer that is what a real
/// broker would show; keyed by identifier a real broker also holds the repartition record until its transaction
/// commits, which the embedded one does not, so that line leaves out up to one commit interval.
/// </summary>
internal static class Latency
{
    private const int EventsPerSecond = 1_000;
    private const int Seconds = 60;
    private const int Customers = 18_000;

    /// <summary>The demo's producer linger and fetch wait.</summary>
    private const int DefaultLingerMs = 5;
    private const int DefaultFetchWaitMs = 3;

    public static bool Requested(string[] args) => args.Any(a => a.Contains("Latency", StringComparison.OrdinalIgnoreCase));

    public static async Task<int> RunAsync()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        if (!redis.IsAvailable)
        {
            Console.Error.WriteLine("latency: " + redis.SkipReason);
            return 1;
        }

        var lines = new List<string>();
        try
        {
            // The demo's defaults first, then one knob changed at a time, then the defaults with events keyed by customer,
            // then the defaults and keyed by customer under exactly_once_v2.
            foreach (var (lingerMs, fetchWaitMs, keyedByCustomer, exactlyOnce) in new[]
                     {
                         (DefaultLingerMs, DefaultFetchWaitMs, false, false), (0, DefaultFetchWaitMs, false, false), (DefaultLingerMs, 10, false, false),
                         (DefaultLingerMs, DefaultFetchWaitMs, true, false), (DefaultLingerMs, DefaultFetchWaitMs, false, true), (DefaultLingerMs, DefaultFetchWaitMs, true, true),
                     })
            {
                var measured = await MeasureAsync(lingerMs, fetchWaitMs, keyedByCustomer, exactlyOnce, redis.ConnectionString);
                if (measured is null)
                {
                    return 1;
                }

                if (keyedByCustomer || exactlyOnce)
                {
                    // Keyed by customer: its floor, two raw hops with the same knobs, was measured after the first run.
                    // Under exactly_once_v2: the raw hops have no transactions to compare with.
                    Report(measured, lines);
                    continue;
                }

                // The same knobs with no processing between the hops, in the same run: what the broker alone costs.
                measured = [.. measured, RawHopLatency.Measure(EventsPerSecond, TimeSpan.FromSeconds(Seconds), lingerMs, fetchWaitMs)];
                if (lingerMs == DefaultLingerMs && fetchWaitMs == DefaultFetchWaitMs)
                {
                    // With the defaults also the floor of hops whose commits never hold the loop: the most that
                    // commits off the stream thread could gain.
                    measured = [.. measured, RawHopLatency.Measure(EventsPerSecond, TimeSpan.FromSeconds(Seconds), lingerMs, fetchWaitMs, commitsInBackground: true)];
                    // And the floor of the fewest hops any processor takes (input topic, trigger topic).
                    measured = [.. measured, RawHopLatency.Measure(EventsPerSecond, TimeSpan.FromSeconds(Seconds), lingerMs, fetchWaitMs, hops: 2)];
                }

                Report(measured, lines);
            }
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("latency: FAILED - " + ex.Message);
            return 1;
        }
        finally
        {
            await redis.DisposeAsync();
        }

        await MeasuredLines.WriteAsync(
            "Latency",
            "Latency where users see it: event to trigger consumer, event to Redis",
            string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessorCount} cores, the embedded broker (1 broker), at_least_once (the last run exactly_once_v2), 1 stream thread, {EventsPerSecond:N0} journey events/s for {Seconds} s from {Customers:N0} simulated customers; the processor and the three-hop floor's middle hop purge their repartition topic every second (`./scripts/bench.sh --filter '*Latency*'`)."),
            lines);
        return 0;
    }

    private static void Report(IEnumerable<string> measured, List<string> lines)
    {
        foreach (var line in measured)
        {
            Console.WriteLine(line);
            lines.Add(line);
        }
    }

    /// <summary>
    /// One demo run: its latency line with the linger and fetch wait it ran with and its commit line, or null (after
    /// saying why) when it failed.
    /// </summary>
    private static async Task<string[]?> MeasureAsync(int lingerMs, int fetchWaitMs, bool keyedByCustomer, bool exactlyOnce, string redis)
    {
        var arguments = string.Create(CultureInfo.InvariantCulture,
            $"demo --duration {Seconds} --rate {EventsPerSecond} --customers {Customers} --brokers 1 --plain --fetch-wait-ms {fetchWaitMs} --redis {redis}").Split(' ');
        if (keyedByCustomer)
        {
            arguments = [.. arguments, "--keyed-by-customer"];
        }

        if (exactlyOnce)
        {
            arguments = [.. arguments, "--exactly-once"];
        }

        using var demo = ChildProcess.Start("dotnet", [RepositoryLayout.C360Dll, .. arguments], new Dictionary<string, string?>
        {
            ["C360__Kafka__LingerMs"] = lingerMs.ToString(CultureInfo.InvariantCulture),
        }, workingDirectory: RepositoryLayout.Root);
        if (!await demo.WaitForExitAsync(TimeSpan.FromMinutes(10)))
        {
            Console.Error.WriteLine("latency: the demo did not finish within 10 minutes");
            return null;
        }

        var latency = demo.StandardOutput.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("[demo]   latency:", StringComparison.Ordinal));
        var population = demo.StandardOutput.FirstOrDefault(l => l.Contains("population:", StringComparison.Ordinal));
        if (demo.ExitCode != 0 || latency is null)
        {
            Console.Error.WriteLine($"latency: the demo exited with {demo.ExitCode} and no latency line: {demo.AllOutput}");
            return null;
        }

        Console.WriteLine(population);
        // Beside the latency line: the record age per stage (where the wait comes from), the commits and their steps,
        // and how the stream thread's time split meanwhile (busy or waiting).
        var details = demo.StandardOutput.Select(l => l.Trim())
            .Where(l => l.StartsWith("[demo]   record age as each stage took it:", StringComparison.Ordinal)
                || l.StartsWith("[demo]   commits in the live minute:", StringComparison.Ordinal)
                || l.StartsWith("[demo]     commit steps in the live minute", StringComparison.Ordinal)
                || l.StartsWith("[demo]   stream thread in the live minute:", StringComparison.Ordinal))
            .Select(l => $"  {l["[demo]   ".Length..]}");
        var keyed = keyedByCustomer ? ", channel events keyed by customer at the source" : string.Empty;
        return [$"{latency["[demo]   ".Length..]} (Kafka:LingerMs {lingerMs}, Kafka:FetchWaitMaxMs {fetchWaitMs}{keyed})", .. details];
    }
}
