using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Where a Kafka client's own log lines go. Without a handler librdkafka writes them raw to stderr, past the logger:
/// a processor started without a reachable broker printed over a thousand <c>%3|…|FAIL|</c> lines in its first 30 s,
/// unformatted, unfiltered and in the middle of JSON logs, and a command such as <c>c360 lag</c> buried its one-line
/// failure under them. Every client the product builds takes one of these handlers.
/// </summary>
public static class KafkaClientLog
{
    /// <summary>How long one client repeats nothing from the same facility: a broker that refuses connections is retried many times a second.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(10);

    /// <summary>
    /// For a command's short life: what goes wrong reaches it as the operation's error, which it reports in one line;
    /// the client's lines would only bury that line.
    /// </summary>
    public static Action<IClient, LogMessage> Discard { get; } = static (_, _) => { };

    /// <summary>Into <paramref name="logger"/>, at most one line per client and facility each <see cref="QuietPeriod"/>, saying how many it held back.</summary>
    public static Action<IClient, LogMessage> To(ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        return new Throttled(logger, time).Write;
    }

    /// <summary>
    /// A stream worker's client errors into <paramref name="logger"/>, at most one line per error code each
    /// <see cref="QuietPeriod"/>, saying how many it held back. The error callback fires at every failed reconnect: a
    /// worker whose broker went away wrote about twenty warnings a second. A fatal error is always written.
    /// </summary>
    public static Action<IClient, Error> Errors(ILogger logger, TimeProvider time, string clientId)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        var quiet = new QuietWindows<ErrorCode>(time);
        return (_, error) =>
        {
            var heldBack = 0;
            if (!error.IsFatal && quiet.HoldsBack(error.Code, out heldBack))
            {
                return;
            }

            if (heldBack == 0)
            {
                Log.ClientError(logger, clientId, error.Code, error.Reason);
            }
            else
            {
                Log.ClientErrorAfterHeldBack(logger, clientId, error.Code, error.Reason, heldBack);
            }
        };
    }

    /// <summary>
    /// librdkafka's syslog levels as the processor's: what it calls an error (a refused connection, all brokers down)
    /// is one it retries on its own, a warning here as its warnings are; its notices are information, the rest debug.
    /// </summary>
    public static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        <= SyslogLevel.Warning => LogLevel.Warning,
        <= SyslogLevel.Notice => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    private sealed class Throttled(ILogger logger, TimeProvider time)
    {
        private readonly QuietWindows<(string Client, string Facility)> _quiet = new(time);

        public void Write(IClient client, LogMessage message)
        {
            var level = LevelOf(message.Level);
            if (!logger.IsEnabled(level) || _quiet.HoldsBack((message.Name, message.Facility), out var heldBack))
            {
                return;
            }

            if (heldBack == 0)
            {
                Log.KafkaClientLine(logger, level, message.Name, message.Facility, message.Message);
            }
            else
            {
                Log.KafkaClientLineAfterHeldBack(logger, level, message.Name, message.Facility, message.Message, heldBack);
            }
        }
    }

    /// <summary>One window per kind of line: a line passes when its kind wrote nothing for <see cref="QuietPeriod"/>.</summary>
    private sealed class QuietWindows<TKind>(TimeProvider time)
        where TKind : notnull
    {
        private readonly ConcurrentDictionary<TKind, Window> _windows = new();

        /// <summary>True when a line of <paramref name="kind"/> is held back now; else how many were held back since the last one written.</summary>
        public bool HoldsBack(TKind kind, out int heldBack)
        {
            var window = _windows.GetOrAdd(kind, static _ => new Window());
            lock (window)
            {
                var now = time.GetTimestamp();
                if (window.LastWrittenAt is { } last && time.GetElapsedTime(last, now) < QuietPeriod)
                {
                    window.HeldBack++;
                    heldBack = 0;
                    return true;
                }

                (heldBack, window.HeldBack, window.LastWrittenAt) = (window.HeldBack, 0, now);
                return false;
            }
        }
    }

    private sealed class Window
    {
        public long? LastWrittenAt { get; set; }

        public int HeldBack { get; set; }
    }
}
