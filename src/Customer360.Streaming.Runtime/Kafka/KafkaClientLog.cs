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
        private readonly ConcurrentDictionary<(string Client, string Facility), Window> _windows = new();

        public void Write(IClient client, LogMessage message)
        {
            var level = LevelOf(message.Level);
            if (!logger.IsEnabled(level))
            {
                return;
            }

            var window = _windows.GetOrAdd((message.Name, message.Facility), static _ => new Window());
            int heldBack;
            lock (window)
            {
                var now = time.GetTimestamp();
                if (window.LastWrittenAt is { } last && time.GetElapsedTime(last, now) < QuietPeriod)
                {
                    window.HeldBack++;
                    return;
                }

                (heldBack, window.HeldBack, window.LastWrittenAt) = (window.HeldBack, 0, now);
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

    private sealed class Window
    {
        public long? LastWrittenAt { get; set; }

        public int HeldBack { get; set; }
    }
}
