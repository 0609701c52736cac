using Customer360.Streaming.Pipeline.Simulation;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Contracts;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Produces a simulated population's records as Avro through the registry, at a steady rate, with progress lines:
/// the demo's producer and <c>c360 simulate</c>.
/// </summary>
internal sealed class DemoProducer(KafkaOptions kafka, ISchemaRegistryClient registry, SchemaCatalog contracts, TimeProvider time, Action<string> say)
{
    /// <summary>The setup (profiles, links), then journey events at <paramref name="rate"/> per second for the duration; returns records per topic.</summary>
    public async Task<Dictionary<string, long>> RunAsync(Population population, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var produced = new Dictionary<string, long>(StringComparer.Ordinal);
        using var producer = new SimulatedRecordProducer(kafka, registry, contracts, "c360-demo-producer");
        foreach (var record in population.Setup())
        {
            await ProduceAsync(producer, record, produced, cancellationToken);
        }

        say($"produced the setup: {population.Customers.Count} relationship profiles and {produced.GetValueOrDefault(population.Topics.Identity)} identity links");
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var started = time.GetTimestamp();
        var journeyEvents = 0L;
        var nextReport = TimeSpan.FromSeconds(1);
        long? shiftMs = null;
        while (time.GetElapsedTime(started) < duration && !cancellationToken.IsCancellationRequested)
        {
            var due = (long)(time.GetElapsedTime(started) / interval) + 1;
            foreach (var record in population.Events((int)Math.Max(0, due - journeyEvents)))
            {
                // Journeys keep their simulated spacing but start now, whatever the setup took: event time then tracks
                // the wall clock, and event-to-trigger latency means what it says.
                shiftMs ??= time.GetUtcNow().ToUnixTimeMilliseconds() - record.Event.EventTimeMs;
                await ProduceAsync(producer, record with { Event = record.Event with { EventTimeMs = record.Event.EventTimeMs + shiftMs.Value } }, produced, cancellationToken);
                journeyEvents++;
            }

            if (time.GetElapsedTime(started) >= nextReport)
            {
                say($"t={time.GetElapsedTime(started).TotalSeconds,5:0.0}s produced {journeyEvents} journey events ({journeyEvents / time.GetElapsedTime(started).TotalSeconds:0}/s)");
                nextReport += TimeSpan.FromSeconds(5);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        say($"produced {journeyEvents} journey events in {time.GetElapsedTime(started).TotalSeconds:0.0} s");
        return produced;
    }

    private static async Task ProduceAsync(SimulatedRecordProducer producer, SimulatedRecord record, Dictionary<string, long> produced, CancellationToken cancellationToken)
    {
        await producer.ProduceAsync(record, cancellationToken);
        produced[record.Topic] = produced.GetValueOrDefault(record.Topic) + 1;
    }
}
