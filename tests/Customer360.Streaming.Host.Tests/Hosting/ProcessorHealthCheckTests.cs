using Confluent.Kafka;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Customer360.Streaming.Host.Tests.WorkerStatuses;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>What /health/live and /health/ready answer in each state of the worker.</summary>
public sealed class ProcessorHealthCheckTests
{
    [Fact]
    public void A_running_worker_with_nothing_paused_is_live_and_ready()
    {
        var status = Running();

        Assert.Equal(HealthStatus.Healthy, ProcessorHealthCheck.Assess(Of(status), readiness: false).Status);
        Assert.Equal(HealthStatus.Healthy, ProcessorHealthCheck.Assess(Of(status), readiness: true).Status);
    }

    [Fact]
    public void A_paused_partition_makes_the_worker_unready_but_still_live_until_it_resumes()
    {
        var status = Running();
        status.Paused(Assignment[1], paused: true);

        var ready = ProcessorHealthCheck.Assess(Of(status), readiness: true);
        Assert.Equal(HealthStatus.Unhealthy, ready.Status);
        Assert.Contains("1 partitions paused", ready.Description, StringComparison.Ordinal);
        Assert.Equal(1, ready.Data["pausedPartitions"]);
        Assert.Equal(HealthStatus.Healthy, ProcessorHealthCheck.Assess(Of(status), readiness: false).Status);

        status.Paused(Assignment[1], paused: false);
        Assert.Equal(HealthStatus.Healthy, ProcessorHealthCheck.Assess(Of(status), readiness: true).Status);
    }

    [Fact]
    public void Readiness_names_why_partitions_wait_to_retry()
    {
        var status = Running();
        const string reason = "Schema id 7 is unknown to the registry; retried for up to 60 s (SchemaRegistry:UnknownIdRetrySeconds)";
        status.Paused(Assignment[0], paused: true, reason);
        status.Paused(Assignment[1], paused: true, reason);

        var ready = ProcessorHealthCheck.Assess(Of(status), readiness: true);

        Assert.Equal(HealthStatus.Unhealthy, ready.Status);
        Assert.Equal($"2 partitions paused, waiting to retry: {reason}", ready.Description);
        status.Paused(Assignment[0], paused: false);
        status.Paused(Assignment[1], paused: false);
        Assert.Equal(HealthStatus.Healthy, ProcessorHealthCheck.Assess(Of(status), readiness: true).Status);
    }

    [Fact]
    public void Readiness_names_at_most_three_reasons_and_counts_the_others()
    {
        // A registry restored without its schemas pauses a partition per unknown id; each reason names its id, and the
        // description (logged at each change, shown on the overview page) grew by a sentence per id.
        var partitions = Enumerable.Range(0, 6).Select(p => new TopicPartition("c360.mobile.v1", p)).ToList();
        var status = new StreamWorkerStatus();
        status.Assigned(partitions);
        string Reason(int id) => $"Schema id {id} is unknown to the registry; retried for up to 60 s (SchemaRegistry:UnknownIdRetrySeconds)";
        for (var i = 0; i < partitions.Count; i++)
        {
            status.Paused(partitions[i], paused: true, Reason(101 + i));
        }

        var ready = ProcessorHealthCheck.Assess(Of(status), readiness: true);

        Assert.Equal($"6 partitions paused, waiting to retry: {Reason(101)}; {Reason(102)}; {Reason(103)}; and 3 other reasons", ready.Description);
    }

    [Fact]
    public void Restoring_joining_and_unassigned_workers_are_not_ready()
    {
        var restoring = Running();
        restoring.SetPhase(WorkerPhase.Restoring);
        Assert.Equal("restoring state from changelogs", ProcessorHealthCheck.Assess(Of(restoring), readiness: true).Description);

        var joining = new StreamWorkerStatus();
        joining.SetPhase(WorkerPhase.Joining);
        Assert.Equal(HealthStatus.Unhealthy, ProcessorHealthCheck.Assess(Of(joining), readiness: true).Status);
        Assert.Equal(HealthStatus.Healthy, ProcessorHealthCheck.Assess(Of(joining), readiness: false).Status);

        Assert.Equal(HealthStatus.Unhealthy, ProcessorHealthCheck.Assess(null, readiness: true).Status);
    }

    [Fact]
    public void A_failed_worker_is_neither_live_nor_ready()
    {
        var status = Running();
        status.Fail("poison in the changelog");

        Assert.Equal(HealthStatus.Unhealthy, ProcessorHealthCheck.Assess(Of(status), readiness: false).Status);
        Assert.Equal(HealthStatus.Unhealthy, ProcessorHealthCheck.Assess(Of(status), readiness: true).Status);
    }

    [Fact]
    public void With_two_threads_readiness_waits_for_both_and_lists_each_with_its_state_and_partitions()
    {
        var first = Running();
        var second = new StreamWorkerStatus();
        second.Assigned([new TopicPartition("c360.beacon.v1", 2)]);
        second.SetPhase(WorkerPhase.Restoring);
        var processor = new StreamProcessorStatus(("StreamThread-1", first), ("StreamThread-2", second));

        var restoring = ProcessorHealthCheck.Assess(processor, readiness: true);
        second.SetPhase(WorkerPhase.Running);
        var ready = ProcessorHealthCheck.Assess(processor, readiness: true);

        Assert.Equal(HealthStatus.Unhealthy, restoring.Status);
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal(3, ready.Data["assignedPartitions"]);
        var threads = System.Text.Json.JsonSerializer.Serialize(ready.Data["threads"]);
        Assert.Equal(
            """[{"name":"StreamThread-1","state":"Running","partitions":["c360.beacon.v1[0]","c360.beacon.v1[1]"]},{"name":"StreamThread-2","state":"Running","partitions":["c360.beacon.v1[2]"]}]""",
            threads);
    }
}
