namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// When a task's request for a commit soon (<see cref="IProcessorContext.RequestCommit"/>) brings the thread's next
/// commit forward. Only where a commit is what shows outputs to consumers (exactly_once_v2); only once the prompt
/// interval has passed since the last commit, so a stream of requests cannot turn every batch into a transaction; and
/// only for a request made on something younger than the commit interval: a thread working off a backlog processes
/// records older than that, and there early commits would only slow it down further, for outputs late already.
/// </summary>
internal sealed class PromptCommit(bool commitRevealsOutputs, TimeSpan promptInterval, TimeSpan commitInterval, TimeProvider time)
{
    private readonly TimeSpan _promptInterval = promptInterval < commitInterval ? promptInterval : commitInterval;

    /// <param name="requestedForMs">The freshest time a task asked for a commit on since the last one, or null.</param>
    /// <param name="sinceLastCommit">How long ago the last commit was.</param>
    /// <remarks>The wall clock is read last, only for a request that passed the rest: the thread asks on every loop.</remarks>
    public bool Due(long? requestedForMs, TimeSpan sinceLastCommit) =>
        commitRevealsOutputs
        && requestedForMs is { } causeMs
        && sinceLastCommit >= _promptInterval
        && time.GetUtcNow().ToUnixTimeMilliseconds() - causeMs <= commitInterval.TotalMilliseconds;
}
