using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// The processor's <c>/metrics</c> as Prometheus scrapes it, with every instrument of the three meters exercised
/// once: the exporter and its wiring are the product's (<see cref="ProcessorHost.AddPrometheusMetrics"/>), only the
/// worker behind the gauges is a stand-in, so the names and types read here are the ones a user's Prometheus sees.
/// </summary>
internal static partial class PrometheusScrape
{
    /// <summary>The exposition text of one scrape.</summary>
    public static async Task<string> OfEveryInstrumentAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port));
        IReadOnlyList<PartitionProgress> partitions = [new(new TopicPartition("c360.web.v1", 0), 41, 40, 50, 1_790_000_000_000, Paused: true)];
        // Meters of a factory of their own: exercising them must not touch the instruments of the same names that
        // other tests in this process record on and count.
        using var meterServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = meterServices.GetRequiredService<IMeterFactory>();
        var streams = new StreamsMetrics(meters);
        streams.ObserveThreads(() => [new StreamThreadView("StreamThread-1", WorkerPhase.Running, ["c360.web.v1[0]"], 41)]);
        using var stateMemory = RocksDbMemory.OfMebibytes(16);
        streams.ObserveStateMemory(stateMemory);
        builder.Services.AddSingleton(streams);
        var pipeline = new PipelineMetrics(meters);
        builder.Services.AddSingleton(pipeline);
        builder.Services.AddSingleton(new ProcessorMetrics(() => partitions, TimeProvider.System, meters));
        builder.Services.AddPrometheusMetrics();
        await using var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync(cancellationToken);
        ExerciseEveryInstrument(meters);

        // The acceptance gauge observes what was answered: one answer gives it a series.
        pipeline.Offers.Answered(new Domain.Decisioning.OfferOutcome("coffee", "none", Domain.Triggers.TriggerChannel.Push, Accepted: true));

        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}") };
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
        await app.StopAsync(cancellationToken);
        return text;
    }

    /// <summary>Each <c># TYPE</c> line of a scrape: the family name and its Prometheus type.</summary>
    public static IReadOnlyDictionary<string, string> Families(string exposition) =>
        TypeLine().Matches(exposition).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value, StringComparer.Ordinal);

    /// <summary>Adds to every counter and records one value in every histogram; observable instruments are observed at scrape.</summary>
    private static void ExerciseEveryInstrument(IMeterFactory meters)
    {
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    lock (instruments)
                    {
                        instruments.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        lock (instruments)
        {
            foreach (var instrument in instruments)
            {
                switch (instrument)
                {
                    case Counter<long> counter:
                        counter.Add(1);
                        break;
                    case Counter<double> counter:
                        counter.Add(1.5);
                        break;
                    case Histogram<double> histogram:
                        histogram.Record(12.5);
                        break;
                    case { IsObservable: false }:
                        // An instrument type not exercised here would never reach the scrape, and its README row
                        // would never be checked.
                        throw new InvalidOperationException($"{instrument.Name} is a {instrument.GetType().Name}: exercise it here too");
                }
            }
        }
    }

    [GeneratedRegex(@"^# TYPE (?<name>\S+) (?<type>\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
