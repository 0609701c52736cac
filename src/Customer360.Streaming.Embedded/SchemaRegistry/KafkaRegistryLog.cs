using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// The registry's state kept where Confluent's registry keeps it: a compacted, single-partition <c>_schemas</c> topic
/// on the Kafka it is pointed at. A change is written and acknowledged before the registry answers, and a start
/// replays the topic, so a restarted registry serves the same ids as before (and records written with them still
/// decode).
/// </summary>
public sealed class KafkaRegistryLog : IDisposable
{
    public const string DefaultTopic = "_schemas";

    private readonly string _bootstrapServers;
    private readonly TopicPartition _partition;
    private readonly IProducer<byte[], byte[]?> _producer;
    private readonly TimeProvider _time;

    public KafkaRegistryLog(string bootstrapServers, string topic = DefaultTopic, TimeProvider? time = null)
    {
        _bootstrapServers = bootstrapServers;
        _time = time ?? TimeProvider.System;
        _partition = new TopicPartition(topic, 0);
        _producer = new ProducerBuilder<byte[], byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "c360-registry",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 0,
        }).SetLogHandler(KafkaClientLog.Discard).Build();
    }

    public string Topic => _partition.Topic;

    /// <summary>Creates the topic when missing (compacted, one partition), then applies every record to <paramref name="store"/>.</summary>
    public async Task<RegistryReplay> ReplayIntoAsync(RegistryStore store, TimeSpan timeout)
    {
        await EnsureTopicAsync(timeout);
        using var consumer = new ConsumerBuilder<byte[], byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _bootstrapServers,
            GroupId = "c360-registry-replay",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetLogHandler(KafkaClientLog.Discard).Build();
        var end = consumer.QueryWatermarkOffsets(_partition, timeout).High.Value;
        var (applied, passedOver) = (0, 0);
        if (end == 0)
        {
            return new RegistryReplay(applied, passedOver);
        }

        consumer.Assign(new TopicPartitionOffset(_partition, Offset.Beginning));
        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < timeout)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (!result.IsPartitionEOF && result.Message.Key is { } key)
            {
                if (!RegistryRecord.IsJsonKey(key))
                {
                    passedOver++;
                }
                else if (Replay(result, key, store))
                {
                    applied++;
                }
            }

            if (result.IsPartitionEOF || result.Offset.Value >= end - 1)
            {
                return new RegistryReplay(applied, passedOver);
            }
        }

        throw new TimeoutException($"Reading {_partition.Topic} did not reach offset {end} within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>
    /// Applies one record whose key is JSON; one the registry cannot read stops the start. Skipping it could forget a
    /// schema whose id data already carries, and a later registration would then give that id another meaning. (A key
    /// that is not JSON is no schema's: the replay passes it over and counts it, as Confluent's registry does.)
    /// </summary>
    private static bool Replay(ConsumeResult<byte[], byte[]?> result, byte[] key, RegistryStore store)
    {
        try
        {
            if (RegistryRecord.Read(key, result.Message.Value) is not { } record)
            {
                return false;
            }

            store.Apply(record);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or SchemaRegistryException)
        {
            throw new InvalidDataException(
                $"{result.Topic} partition {result.Partition.Value} offset {result.Offset.Value} holds a record the registry cannot replay: {ex.Message}. " +
                "Was it written by another program? Keep this registry's state in a topic of its own (--topic).", ex);
        }
    }

    /// <summary>Writes <paramref name="record"/> and waits for the broker's acknowledgement: the registry answers only what is stored.</summary>
    public void Append(RegistryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            _producer.ProduceAsync(_partition, new Message<byte[], byte[]?> { Key = record.Key, Value = record.Value }).GetAwaiter().GetResult();
        }
        catch (ProduceException<byte[], byte[]?> ex)
        {
            throw new SchemaRegistryException(500, SchemaRegistryException.Codes.BackendStoreError, $"Could not store the change in {_partition.Topic}: {ex.Error.Reason}");
        }
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    private async Task EnsureTopicAsync(TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _bootstrapServers }).SetLogHandler(KafkaClientLog.Discard).Build();
        var metadata = admin.GetMetadata(_partition.Topic, timeout);
        if (metadata.Topics.Any(t => t.Topic == _partition.Topic && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0))
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(
            [
                new TopicSpecification
                {
                    Name = _partition.Topic,
                    NumPartitions = 1,
                    ReplicationFactor = (short)Math.Min(3, metadata.Brokers.Count),
                    Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" },
                },
            ]);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another registry created it first.
        }
        catch (KafkaException)
        {
            // The embedded broker has no CreateTopics: the first write creates the topic there (not compacted).
        }
    }
}

/// <summary>What a start read back from the registry's log: records applied, and records passed over as another program's.</summary>
public sealed record RegistryReplay(int Applied, int PassedOver);
