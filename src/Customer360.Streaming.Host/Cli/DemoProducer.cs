using System.Collections.Concurrent;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Produces a simulated population as Avro through the registry, in real time: the setup, then each journey event
/// when the wall clock reaches its event time (the population's in-progress history at once). It follows the
/// triggers topic and answers what customers are sent, as their apps and e-mail clients would. The demo's producer
/// and <c>c360 simulate</c>.
/// </summary>
/// <param name="progressEvery">How often to report what was produced; null for never (the demo's view reports instead).</param>
internal sealed class DemoProducer(
    KafkaOptions kafka, ISchemaRegistryClient registry, SchemaCatalog contracts, TimeProvider time, Action<string> say, TimeSpan? progressEvery)
{
    /// <summary>
    /// How often due events are produced. An event goes out up to this long after its event time, and latency is
    /// measured from the event time: the pace is kept well below the latencies it would otherwise blur.
    /// </summary>
    private static readonly TimeSpan PaceEvery = TimeSpan.FromMilliseconds(2);

    /// <summary>The history is caught up with once the events of one round took the processor less than this.</summary>
    private static readonly TimeSpan CaughtUpWithin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest the rounds of history go on. A round cannot be taken in faster than a commit interval, so with a
    /// long <c>Kafka:CommitIntervalMs</c> every round is as long as the last and the rounds would never end.
    /// </summary>
    private static readonly TimeSpan CatchUpAtMost = TimeSpan.FromMinutes(2);

    private long _unreadableTriggers;

    /// <summary>Runs for <paramref name="duration"/>; returns records produced per topic.</summary>
    /// <param name="takenIn">
    /// Given what was just produced and the number of records produced so far, completes when the processor has taken
    /// them in. Without it, journeys follow the setup at once (a processor reading both at the same time may find
    /// months-old history late), and live events queue behind the history.
    /// </param>
    public async Task<Dictionary<string, long>> RunAsync(
        Population population, TimeSpan duration, CancellationToken cancellationToken, Func<SimulationPhase, long, Task>? takenIn = null)
    {
        var produced = new Dictionary<string, long>(StringComparer.Ordinal);
        using var producer = new SimulatedRecordProducer(kafka, registry, contracts, "c360-simulator");
        var lastAppOpens = 0;
        foreach (var record in population.Setup())
        {
            await ProduceAsync(producer, record, produced, cancellationToken);
            lastAppOpens += record.Event is AppEvent ? 1 : 0;
        }

        say($"produced the setup: {produced.GetValueOrDefault(population.Topics.Relationship)} relationship profiles, "
            + $"{produced.GetValueOrDefault(population.Topics.Identity)} identity links, {lastAppOpens} last app opens of lapsed app users");
        await TakenInAsync(SimulationPhase.Setup);
        say($"population: {population.Customers.Count} customers, {population.ConcurrentJourneys} journeys at a time, about {population.ExpectedEventsPerSecond:0} events/s"
            + (population.ExpectedEventsPerSecond < population.RequestedEventsPerSecond * 0.95
                ? $", fewer than the {population.RequestedEventsPerSecond:0} asked for: that rate needs about {population.CustomersForRequestedRate} customers"
                : string.Empty));
        // Followed from before the history, so its triggers get their answers too.
        var sent = new ConcurrentQueue<SentTrigger>();
        using var triggers = FollowTriggers(population.Topics.Triggers, sent);
        // The history, then what happened while the processor worked it off, round by round until a round is short:
        // live events must not queue behind a backlog, or their latency is the backlog's. The answers to the history's
        // triggers go out in the rounds too. (Answered in one last round of their own, they took the processor over a
        // second, the journeys meanwhile waited, and the first live seconds queued behind both: most of the p99.)
        var answers = new PriorityQueue<SimulatedRecord, long>();
        var history = 0L;
        var historyAnswers = 0L;
        var catchingUp = time.GetTimestamp();
        long round;
        do
        {
            round = 0;
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var record in population.EventsUntil(nowMs))
            {
                await ProduceAsync(producer, record, produced, cancellationToken);
                round++;
            }

            history += round;
            CollectAnswers();
            var answered = await ProduceDueAnswersAsync(nowMs);
            historyAnswers += answered;
            round += answered;
            await TakenInAsync(SimulationPhase.History);
        }
        while (round > population.ExpectedEventsPerSecond * CaughtUpWithin.TotalSeconds && !cancellationToken.IsCancellationRequested && !GaveUpCatchingUp());

        say($"replayed {history} events of the journeys in progress (up to {Population.InProgressSince.TotalMinutes:0} minutes back) and {historyAnswers} answers to their triggers; live from now");

        var started = time.GetTimestamp();
        var journeyEvents = 0L;
        var responses = 0L;
        var nextReport = TimeSpan.Zero;
        while (time.GetElapsedTime(started) < duration && !cancellationToken.IsCancellationRequested)
        {
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var record in population.EventsUntil(nowMs))
            {
                await ProduceAsync(producer, record, produced, cancellationToken);
                journeyEvents++;
            }

            CollectAnswers();
            responses += await ProduceDueAnswersAsync(nowMs);

            var elapsed = time.GetElapsedTime(started);
            if (progressEvery is { } every && elapsed >= nextReport)
            {
                say($"t={elapsed.TotalSeconds,5:0.0}s produced {journeyEvents} live journey events, {responses} trigger responses");
                nextReport += every;
            }

            await Task.Delay(PaceEvery, time, cancellationToken);
        }

        producer.FlushAndCheck(TimeSpan.FromSeconds(30));
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        say($"produced {journeyEvents} live journey events ({journeyEvents / seconds:0}/s) and {responses} trigger responses in {seconds:0.0} s"
            + (Interlocked.Read(ref _unreadableTriggers) + (triggers?.Failures ?? 0) is > 0 and var unreadable ? $"; {unreadable} triggers could not be read" : string.Empty));
        return produced;

        bool GaveUpCatchingUp()
        {
            if (time.GetElapsedTime(catchingUp) < CatchUpAtMost)
            {
                return false;
            }

            say($"the history's rounds were still over {CaughtUpWithin.TotalSeconds:0} s of events each after {CatchUpAtMost.TotalMinutes:0} minutes; going live anyway (live latency includes the rest)");
            return true;
        }

        void CollectAnswers()
        {
            while (sent.TryDequeue(out var trigger))
            {
                if (population.Respond(trigger.TriggerId, trigger.CustomerId, trigger.Channel, trigger.SentMs, trigger.Offer) is { } answer)
                {
                    answers.Enqueue(answer, answer.Event.EventTimeMs);
                }
            }
        }

        async Task<int> ProduceDueAnswersAsync(long nowMs)
        {
            var due = 0;
            while (answers.TryPeek(out var answer, out var dueMs) && dueMs <= nowMs)
            {
                answers.Dequeue();
                await ProduceAsync(producer, answer, produced, cancellationToken);
                due++;
            }

            return due;
        }

        async Task TakenInAsync(SimulationPhase phase)
        {
            producer.FlushAndCheck(TimeSpan.FromSeconds(30));
            if (takenIn is not null)
            {
                await takenIn(phase, produced.Values.Sum());
            }
        }
    }

    /// <summary>Follows the triggers topic for the responses; without one (no processor has created it yet) there are none.</summary>
    private TopicTail? FollowTriggers(string topic, ConcurrentQueue<SentTrigger> sent)
    {
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        try
        {
            return TopicTail.Start(kafka, topic, "c360-simulator-responses", record =>
            {
                if (record.Message.Value is { } value && Decode(deserializer, value) is { } trigger)
                {
                    sent.Enqueue(trigger);
                }
            }, TimeSpan.FromSeconds(10));
        }
        catch (KafkaException ex)
        {
            say($"not answering triggers: {topic} cannot be followed ({ex.Error.Reason})");
            return null;
        }
    }

    private SentTrigger? Decode(AvroDeserializer<GenericRecord> deserializer, byte[] value)
    {
        try
        {
            var trigger = deserializer.Deserialize(value);
            var offer = trigger.TryGetValue("offer", out var carried) && carried is GenericRecord proposal ? ((string)proposal["offerId"], (string)proposal["segment"]) : ((string, string)?)null;
            return new SentTrigger(
                (string)trigger["triggerId"], (string)trigger["customerId"], ((GenericEnum)trigger["channel"]).Value,
                AvroTimestamps.ToEpochMillis(trigger["eventTime"]) ?? throw new InvalidCastException("eventTime is not a timestamp"), offer);
        }
        catch (Exception ex) when (ex is SerdeException or SchemaRegistryException or InvalidCastException or KeyNotFoundException)
        {
            // Not a trigger this simulator understands: it goes unanswered, and the closing line counts it.
            Interlocked.Increment(ref _unreadableTriggers);
            return null;
        }
    }


    private static async Task ProduceAsync(SimulatedRecordProducer producer, SimulatedRecord record, Dictionary<string, long> produced, CancellationToken cancellationToken)
    {
        await producer.ProduceAsync(record, cancellationToken);
        produced[record.Topic] = produced.GetValueOrDefault(record.Topic) + 1;
    }

    private sealed record SentTrigger(string TriggerId, string CustomerId, string Channel, long SentMs, (string OfferId, string Segment)? Offer);
}

/// <summary>What the simulator has produced when it waits for the processor.</summary>
internal enum SimulationPhase
{
    /// <summary>Identity links, profiles and lapsed app users' last app opens.</summary>
    Setup,

    /// <summary>
    /// The part of the journeys in progress that happened before the start, then each round of what happened while
    /// the processor took the previous one in, then the answers to the history's triggers; the last round ends it.
    /// </summary>
    History,
}
