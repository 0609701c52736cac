using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Web;

/// <summary>An associate assist on the store-events topic: what staff may know, never who the customer is.</summary>
public sealed record ObservedAssist(long TimeMs, string StoreId, string? ZoneId, string VisitorRef, string? Tier, int? DwellSeconds);

/// <summary>
/// What the pages show of the processor's outputs: the latest decisions (overall and per customer) and the latest
/// associate assists per store. It reads the decisions and store-events topics as their subscribers do (without a
/// group, from a few hundred records back), so a page opened late still shows what happened just before, and every
/// instance serving pages sees every partition. Bounded: old entries and customers fall out.
/// </summary>
internal sealed class LiveFeed : BackgroundService
{
    private const int RecentPerPartition = 200;
    private const int LatestKept = 50;
    private const int PerCustomerKept = 10;
    private const int CustomersKept = 5_000;
    private const int PerStoreKept = 20;
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    private readonly KafkaOptions _kafka;
    private readonly ProductTopicNames _topics;
    private readonly ISchemaRegistryClient _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveFeed> _logger;

    /// <summary>One for every client the feed makes, so a broker it keeps retrying is not logged anew at each retry.</summary>
    private readonly Action<IClient, LogMessage> _clientLog;
    private readonly Lock _gate = new();
    private readonly LinkedList<ObservedDecision> _latest = new();
    private readonly Dictionary<string, LinkedList<ObservedDecision>> _byCustomer = new(StringComparer.Ordinal);
    private readonly Queue<string> _customerOrder = new();
    private readonly Dictionary<string, LinkedList<ObservedAssist>> _assistsByStore = new(StringComparer.Ordinal);
    private long _unreadable;
    private long _sequence;
    private long _fired;
    private long _suppressed;

    public LiveFeed(IOptions<KafkaOptions> kafka, ProductTopicNames topics, ISchemaRegistryClient registry, TimeProvider time, ILogger<LiveFeed> logger)
    {
        _kafka = kafka.Value;
        _topics = topics;
        _registry = registry;
        _time = time;
        _logger = logger;
        _clientLog = KafkaClientLog.To(logger, time);
    }

    /// <summary>Grows by one with every decision or assist taken in, so a live page can tell that something arrived.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Whether both topics are being followed (false while the broker cannot be reached).</summary>
    public bool Following { get; private set; }

    public long Unreadable => Interlocked.Read(ref _unreadable);

    /// <summary>Decisions taken in that fired a trigger.</summary>
    public long Fired => Interlocked.Read(ref _fired);

    /// <summary>Decisions taken in that held a match back.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>The latest decisions of all customers, newest first.</summary>
    public IReadOnlyList<ObservedDecision> LatestDecisions(int count)
    {
        lock (_gate)
        {
            // Newest first by event time: partitions arrive interleaved, most of all when the feed reads its backlog.
            return [.. _latest.OrderByDescending(d => d.TimeMs).Take(count)];
        }
    }

    /// <summary>The latest decisions about one customer, newest first.</summary>
    public IReadOnlyList<ObservedDecision> DecisionsFor(string customerId)
    {
        lock (_gate)
        {
            return _byCustomer.TryGetValue(customerId, out var list) ? [.. list.OrderByDescending(d => d.TimeMs)] : [];
        }
    }

    /// <summary>The latest associate assists in one store, newest first.</summary>
    public IReadOnlyList<ObservedAssist> AssistsIn(string storeId)
    {
        lock (_gate)
        {
            return _assistsByStore.TryGetValue(storeId, out var list) ? [.. list.OrderByDescending(a => a.TimeMs)] : [];
        }
    }

    /// <summary>Takes in one decision (the topic's callback, and tests).</summary>
    public void Add(ObservedDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        lock (_gate)
        {
            PushBounded(_latest, decision, LatestKept);
            if (!_byCustomer.TryGetValue(decision.CustomerId, out var list))
            {
                _byCustomer[decision.CustomerId] = list = new LinkedList<ObservedDecision>();
                _customerOrder.Enqueue(decision.CustomerId);
                while (_customerOrder.Count > CustomersKept)
                {
                    _byCustomer.Remove(_customerOrder.Dequeue());
                }
            }

            PushBounded(list, decision, PerCustomerKept);
            Interlocked.Increment(ref decision.Fired ? ref _fired : ref _suppressed);
            Interlocked.Increment(ref _sequence);
        }
    }

    /// <summary>Takes in one associate assist.</summary>
    public void Add(ObservedAssist assist)
    {
        ArgumentNullException.ThrowIfNull(assist);
        lock (_gate)
        {
            if (!_assistsByStore.TryGetValue(assist.StoreId, out var list))
            {
                _assistsByStore[assist.StoreId] = list = new LinkedList<ObservedAssist>();
            }

            PushBounded(list, assist, PerStoreKept);
            Interlocked.Increment(ref _sequence);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_kafka.BootstrapServers))
        {
            return;
        }

        var deserializer = new AvroDeserializer<GenericRecord>(_registry);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var decisions = await StartFollowing(_topics.Decisions, "c360-pages-decisions", deserializer, TakeDecision, stoppingToken);
                using var storeEvents = await StartFollowing(_topics.StoreEvents, "c360-pages-store-events", deserializer, TakeStoreEvent, stoppingToken);
                Following = true;
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever goes wrong here must not stop the processor (a failed hosted service stops the host):
                // the pages go on without decisions, say so, and the feed tries again.
                Following = false;
                Log.PagesFeedUnavailable(_logger, ex is KafkaException kafka ? kafka.Error.Code.ToString() : ex.GetType().Name, RetryEvery.TotalSeconds);
                try
                {
                    await Task.Delay(RetryEvery, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Following = false;
    }

    /// <summary>
    /// Starts following <paramref name="topic"/> off the host's startup path (reading metadata may wait for a broker that
    /// is still coming up, or never answers) and without holding up a stop: a stop while the start still waits leaves
    /// the start to dispose what it makes. The host's stop used to wait out the metadata timeout, 10 s after
    /// "Startup failed" when no broker answered.
    /// </summary>
    private async Task<TopicTail> StartFollowing(string topic, string clientId, AvroDeserializer<GenericRecord> deserializer, Action<GenericRecord> take, CancellationToken stoppingToken)
    {
        var starting = Task.Run(() => Follow(topic, clientId, deserializer, take), CancellationToken.None);
        try
        {
            return await starting.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            _ = starting.ContinueWith(late => late.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    private TopicTail Follow(string topic, string clientId, AvroDeserializer<GenericRecord> deserializer, Action<GenericRecord> take) =>
        TopicTail.Start(_kafka, topic, clientId, record =>
        {
            if (record.Message.Value is not { } value)
            {
                return;
            }

            try
            {
                take(deserializer.Deserialize(value));
            }
            catch (Exception ex) when (ex is SerdeException or SchemaRegistryException or InvalidCastException or KeyNotFoundException or Avro.AvroException)
            {
                // A page must not stop on one unreadable record; the count is on the overview page.
                Interlocked.Increment(ref _unreadable);
            }
        }, TimeSpan.FromSeconds(10), RecentPerPartition, clientLog: _clientLog);

    private void TakeDecision(GenericRecord record) => Add(ObservedDecision.Decode(record));

    private void TakeStoreEvent(GenericRecord record)
    {
        if (((GenericEnum)record["type"]).Value != "ASSOCIATE_ASSIST")
        {
            return;
        }

        var summary = (GenericRecord)record["summary"];
        Add(new ObservedAssist(
            AvroTimestamps.ToEpochMillis(record["eventTime"]) ?? throw new InvalidCastException("eventTime is not a timestamp"),
            (string)record["storeId"],
            record["zoneId"] as string,
            (string)record["visitorRef"],
            summary["tier"] as string,
            record["dwellSeconds"] as int?));
    }

    private static void PushBounded<T>(LinkedList<T> list, T item, int capacity)
    {
        list.AddFirst(item);
        while (list.Count > capacity)
        {
            list.RemoveLast();
        }
    }
}
