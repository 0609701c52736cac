using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>DeleteRecords through an admin client, made at the first deletion and kept for the next.</summary>
public sealed class AdminRecordDeleter(KafkaOptions options, string clientId, Action<IClient, LogMessage> clientLog) : IRecordDeleter
{
    private readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(KafkaClientConfigs.Admin(options, clientId)).SetLogHandler(clientLog).Build());

    public async Task DeleteBeforeAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var timeout = TimeSpan.FromSeconds(options.StartupTimeoutSeconds);
        await _admin.Value.DeleteRecordsAsync(offsets, new DeleteRecordsOptions { RequestTimeout = timeout, OperationTimeout = timeout });
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
