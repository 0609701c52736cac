using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.IntegrationTests.Kafka;

/// <summary>Lag of a group that stops making progress, as <c>c360 lag</c> reports it, against the broker.</summary>
public sealed class GroupLagMonitorTests(KafkaFixture kafka)
{
    [Fact]
    public async Task AConsumerThatStopsCommitting_ShowsLagRisingAndIsReportedAsStalledOrStopped()
    {
        var names = new UniqueNames(nameof(GroupLagMonitorTests));
        var topic = names.Topic("orders");
        var group = names.Group("slow");
        await kafka.CreateTopicAsync(topic, 2);
        var options = kafka.Options(group);
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "lag-producer")).Build();
        async Task ProduceAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = "v" }, TestContext.Current.CancellationToken);
            }
        }

        await ProduceAsync(40);
        using var consumer = new ConsumerBuilder<string, string>(KafkaClientConfigs.Consumer(options, group, "lag-consumer")).Build();
        consumer.Subscribe(topic);
        for (var read = 0; read < 20;)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } record)
            {
                consumer.Commit(record);
                read++;
            }
        }

        // The consumer stays in the group but neither reads nor commits any more; producers keep producing.
        consumer.Pause(consumer.Assignment);
        using var monitor = new GroupLagMonitor(options, group, [topic], TimeProvider.System);
        var first = await monitor.SampleAsync(TestContext.Current.CancellationToken);
        await ProduceAsync(30);
        var second = await monitor.SampleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, second.Partitions.Count);
        Assert.True(second.Partitions.Sum(p => p.Lag) == first.Partitions.Sum(p => p.Lag) + 30, $"lag {first.Partitions.Sum(p => p.Lag)} then {second.Partitions.Sum(p => p.Lag)}");
        Assert.Contains(second.Status, new[] { LagStatus.Stall, LagStatus.Stop });
        Assert.All(second.Partitions.Where(p => p.Lag > 0), p => Assert.True(p.LagSeconds >= 0, "lag in seconds is read from the oldest uncommitted record"));

        // The same through the command line, as an operator runs it.
        using var cli = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "lag", "--group", group, "--topics", topic, "--bootstrap-servers", kafka.BootstrapServers, "--samples", "2", "--interval", "1"],
            TimeSpan.FromMinutes(1));
        Assert.True(cli.ExitCode == 0, cli.AllOutput);
        Assert.Matches($"group {group}: (STALL|STOP)", cli.AllOutput);
        Assert.Contains(topic, cli.AllOutput, StringComparison.Ordinal);

        // A check from cron or a pipeline: the same report, and an exit code that says the group is at least stalled.
        using var check = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "lag", "--group", group, "--topics", topic, "--bootstrap-servers", kafka.BootstrapServers, "--samples", "2", "--interval", "1", "--fail-on", "stall"],
            TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 1, check.AllOutput);
        Assert.Matches($"group {group}: (STALL|STOP)", check.AllOutput);
        Assert.Matches("exit 1: the group is (STALL|STOP), at least STALL \\(--fail-on\\)", check.AllOutput);
    }

    [Fact]
    public async Task AGroupThatCaughtUp_IsOk()
    {
        var names = new UniqueNames(nameof(GroupLagMonitorTests));
        var topic = names.Topic("events");
        var group = names.Group("fast");
        await kafka.CreateTopicAsync(topic, 1);
        var options = kafka.Options(group);
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "lag-producer")).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v" }, TestContext.Current.CancellationToken);
            }
        }

        using (var consumer = new ConsumerBuilder<string, string>(KafkaClientConfigs.Consumer(options, group, "lag-consumer")).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            consumer.Commit([new TopicPartitionOffset(topic, 0, 10)]);
        }

        using var monitor = new GroupLagMonitor(options, group, [topic], TimeProvider.System);
        var report = await monitor.SampleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(LagStatus.Ok, report.Status);
        Assert.Equal(0, report.Partitions.Single().Lag);
        Assert.Equal(0, report.Partitions.Single().LagSeconds);

        using var check = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "lag", "--group", group, "--topics", topic, "--bootstrap-servers", kafka.BootstrapServers, "--samples", "1", "--fail-on", "warn"],
            TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 0, check.AllOutput);
        Assert.Contains($"group {group}: OK", check.AllOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_carrying_months_old_event_times_count_their_lag_from_the_sample_that_saw_them_arrive()
    {
        var names = new UniqueNames(nameof(Records_carrying_months_old_event_times_count_their_lag_from_the_sample_that_saw_them_arrive));
        var (topic, group) = (names.Topic("profiles"), names.Group("crm"));
        await kafka.CreateTopicAsync(topic, 1);
        var options = kafka.Options(group);
        // Profiles from a CRM, each carrying the time it last changed: 120 days ago.
        var changed = new Timestamp(DateTimeOffset.UtcNow - TimeSpan.FromDays(120));
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "lag-producer")).Build();
        async Task ProduceAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = "v", Timestamp = changed }, TestContext.Current.CancellationToken);
            }
        }

        await ProduceAsync(5);
        using (var consumer = new ConsumerBuilder<string, string>(KafkaClientConfigs.Consumer(options, group, "lag-consumer")).Build())
        {
            consumer.Commit([new TopicPartitionOffset(topic, 0, 5)]);
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var monitor = new GroupLagMonitor(options, group, [topic], clock);
        Assert.Equal(0, (await monitor.SampleAsync(TestContext.Current.CancellationToken)).Partitions.Single().Lag);
        await ProduceAsync(10);
        clock.Advance(TimeSpan.FromSeconds(30));
        var second = (await monitor.SampleAsync(TestContext.Current.CancellationToken)).Partitions.Single();

        // Ten records arrived between the samples, 30 s apart; the first of them is placed a tenth of the way in.
        // Before: 10,368,000 s, the age of the time the record carries.
        Assert.Equal(10, second.Lag);
        Assert.Equal(27.0, second.LagSeconds);

        // A monitor that starts now never saw them arrive: only the time they carry can tell how long they waited.
        using var late = new GroupLagMonitor(options, group, [topic], clock);
        var unsighted = (await late.SampleAsync(TestContext.Current.CancellationToken)).Partitions.Single();
        Assert.InRange(unsighted.LagSeconds ?? 0, TimeSpan.FromDays(119).TotalSeconds, TimeSpan.FromDays(121).TotalSeconds);
    }

    [Fact]
    public async Task A_committed_offset_the_broker_deleted_past_is_reported_with_the_records_the_group_will_never_read()
    {
        // On a cluster of the test's own: the embedded broker deletes the oldest data past about 5 MiB per partition.
        var names = new UniqueNames(nameof(A_committed_offset_the_broker_deleted_past_is_reported_with_the_records_the_group_will_never_read));
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var (topic, group) = (names.Topic("events"), names.Group("down"));
        cluster.CreateTopic(topic, 1);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = group };
        using (var consumer = new ConsumerBuilder<string, string>(KafkaClientConfigs.Consumer(options, group, "lag-consumer")).Build())
        {
            consumer.Commit([new TopicPartitionOffset(topic, 0, 0)]);
        }

        Runtime.BrokerRetention.FillPastLimit(options, topic, [0]);
        using var monitor = new GroupLagMonitor(options, group, [topic], TimeProvider.System);
        var partition = (await monitor.SampleAsync(TestContext.Current.CancellationToken)).Partitions.Single();

        Assert.Equal(0, partition.Committed);
        Assert.True(partition.LogStart > 0, "the broker kept every record");
        Assert.Equal(partition.LogStart, partition.DeletedUnread);
        Assert.Equal(90, partition.Lag);
    }

    [Fact]
    public async Task A_misspelt_topic_or_a_group_that_never_committed_is_said_instead_of_a_plain_OK()
    {
        // A typo in --topics left that topic out of the report and said OK; a typo in --group gave a row per partition
        // with no committed offset and an OK over it, as for a group that had caught up.
        var names = new UniqueNames(nameof(A_misspelt_topic_or_a_group_that_never_committed_is_said_instead_of_a_plain_OK));
        var topic = names.Topic("events");
        await kafka.CreateTopicAsync(topic, 1);
        var misspelt = topic + "s";

        using var typo = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "lag", "--group", names.Group("any"), "--topics", $"{topic},{misspelt}", "--bootstrap-servers", kafka.BootstrapServers, "--samples", "1"],
            TimeSpan.FromMinutes(1));
        Assert.True(typo.ExitCode == 2, typo.AllOutput);
        Assert.Contains(typo.StandardError, l => l == $"--topics names {misspelt}, which is not on the cluster.");

        using var neverCommitted = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "lag", "--group", names.Group("never"), "--topics", topic, "--bootstrap-servers", kafka.BootstrapServers, "--samples", "1"],
            TimeSpan.FromMinutes(1));
        Assert.True(neverCommitted.ExitCode == 0, neverCommitted.AllOutput);
        Assert.Contains(neverCommitted.StandardOutput, l => l.Contains("the group has committed no offset on these topics", StringComparison.Ordinal));
    }
}
