using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Logs readiness when it changes: once when the processor first becomes ready, once when it stops being ready and
/// why (and as still not ready when other checks fail within the same spell), once when it is back and after how long,
/// at the level of the loss: a log filtered to warnings, as the demo's is, showed an outage's start and never its end. ASP.NET's health
/// check service logs an error for every unhealthy check of every probe, so it is silenced (<see cref="ProcessorHost"/>)
/// and this takes its place. Runs on the health check publisher's own schedule, so the log does not depend on anyone
/// probing.
/// </summary>
internal sealed class ReadinessLog(ILogger<ReadinessLog> logger, TimeProvider time) : IHealthCheckPublisher
{
    /// <summary>How soon after a change the log shows it.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>How often a spell of not being ready that lasts is logged again, with how long so far: long waits show progress.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();

    /// <summary>The checks that failed at the last report (null before the first), and whether it was ever ready.</summary>
    private string[]? _failing;
    private bool _wasReady;
    private long _notReadySince;

    /// <summary>When the log last said anything about readiness, so a spell that lasts is told again after <see cref="ProgressInterval"/>.</summary>
    private long _lastLine;

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var names = failing.Select(e => e.Key).ToArray();
        lock (_gate)
        {
            // A description may change with every report (a count of paused partitions); which checks fail changes
            // only with the state itself.
            if (_failing is not null && _failing.SequenceEqual(names, StringComparer.Ordinal))
            {
                if (names.Length > 0 && time.GetElapsedTime(_lastLine) >= ProgressInterval)
                {
                    LogProgress(failing);
                }

                return Task.CompletedTask;
            }

            // Ready at the last report, or the first report: a spell of not being ready begins if any check fails now.
            var spellMayBegin = _failing is null or { Length: 0 };
            _failing = names;
            _lastLine = time.GetTimestamp();
            if (names.Length == 0)
            {
                if (_wasReady)
                {
                    Log.ReadyAgain(logger, time.GetElapsedTime(_notReadySince).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
                }
                else
                {
                    Log.Ready(logger);
                }

                _wasReady = true;
            }
            else if (spellMayBegin)
            {
                _notReadySince = _lastLine;
                if (_wasReady)
                {
                    Log.NoLongerReady(logger, Reasons(failing));
                }
                else
                {
                    Log.NotReadyYet(logger, Reasons(failing));
                }
            }
            else
            {
                // Other checks fail than at the last report, within the same spell: not a second loss of readiness.
                LogProgress(failing);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The same spell goes on: how long so far, and why now (a description may have changed since).</summary>
    private void LogProgress(List<KeyValuePair<string, HealthReportEntry>> failing)
    {
        _lastLine = time.GetTimestamp();
        var seconds = time.GetElapsedTime(_notReadySince).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        if (_wasReady)
        {
            Log.StillNotReady(logger, seconds, Reasons(failing));
        }
        else
        {
            Log.NotReadyYetAfter(logger, seconds, Reasons(failing));
        }
    }

    private static string Reasons(IEnumerable<KeyValuePair<string, HealthReportEntry>> failing) => string.Join(
        "; ", failing.Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? e.Value.Status.ToString()}"));
}
