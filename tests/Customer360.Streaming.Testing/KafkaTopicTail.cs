using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Testing;

/// <summary>
/// Collects a topic's records while they are written, from its beginning, on a thread of its own. For a topic that may
/// outgrow what the embedded broker keeps (about 5 MiB per partition, beyond which it drops the oldest records), where
/// <see cref="KafkaTopicReader.ReadAll"/> at the end would find the first records gone.
/// </summary>
public sealed class KafkaTopicTail : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly string _topic;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _records = [];
    private readonly Dictionary<int, long> _nextOffsets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private Exception? _failure;

    public KafkaTopicTail(KafkaOptions options, string topic)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _topic = topic;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(options, options.ApplicationId + "-tail", "tail")).Build();
        _consumer.Assign(Enumerable.Range(0, PartitionCount()).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        _thread = new Thread(Collect) { IsBackground = true, Name = "topic-tail" };
        _thread.Start();
    }

    /// <summary>Every record written until now, once the tail has read up to each partition's end as it stands now.</summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadToEnd(TimeSpan timeout)
    {
        using var watermarks = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(_options, _options.ApplicationId + "-tail-ends", "tail-ends")).Build();
        var ends = Enumerable.Range(0, PartitionCount())
            .ToDictionary(p => p, p => watermarks.QueryWatermarkOffsets(new TopicPartition(_topic, p), TimeSpan.FromSeconds(10)).High.Value);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_records)
            {
                if (_failure is not null)
                {
                    throw new InvalidOperationException($"the tail of {_topic} failed", _failure);
                }

                if (ends.All(end => end.Value == 0 || _nextOffsets.GetValueOrDefault(end.Key) >= end.Value))
                {
                    return [.. _records];
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the tail of {_topic} did not reach its end ({string.Join(", ", ends.Select(e => $"{e.Key}: {e.Value}"))}) in {timeout}");
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }

    private int PartitionCount()
    {
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(_options, "tail-admin")).Build();
        return admin.GetMetadata(_topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count;
    }

    private void Collect()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    lock (_records)
                    {
                        _records.Add(result);
                        _nextOffsets[result.Partition.Value] = result.Offset.Value + 1;
                    }
                }
            }
        }
        catch (KafkaException ex)
        {
            lock (_records)
            {
                _failure = ex;
            }
        }
    }
}
