using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Host.Cli;

/// <summary>Which dead letters a replay takes: those of the named error classes, optionally only from one input topic.</summary>
internal sealed record DeadLetterSelection(IReadOnlySet<string> ErrorClasses, string? OriginTopic)
{
    public bool Takes(DeadLetterEnvelope letter) =>
        ErrorClasses.Contains(letter.ErrorClass) && (OriginTopic is null || OriginTopic == letter.Origin.Topic);
}

/// <summary>
/// The processor's grace period (<c>Context:GraceSeconds</c>) and the moment of the replay: an event older than the
/// grace then may find its customer holding a newer event of its kind beyond it, and be counted late, not applied.
/// </summary>
internal sealed record ReplayGrace(TimeSpan Grace, long NowMs)
{
    public bool IsOlder(long timestampMs) => timestampMs < NowMs - (long)Grace.TotalMilliseconds;
}

/// <summary>
/// Sends selected dead letters back as the original records (key, value, headers without ours, timestamp) to the topic
/// <see cref="DeadLetterReplayTargets"/> names, and counts what it did. The processor takes a replayed record as any
/// other: applied, or dead-lettered again if it is still wrong. Sending one twice is harmless: an event it applied
/// already is recognised by its id (or is older than what the context holds), a link or a profile is a table row
/// written again, and a response to an answered trigger changes nothing.
/// </summary>
internal sealed class DeadLetterReplay(DeadLetterReplayTargets targets, DeadLetterSelection selection, bool dryRun, ReplayGrace grace) : IDisposable
{
    /// <summary>How long one replayed record may wait for a broker's acknowledgement; <see cref="Finish"/> waits longer.</summary>
    public const int DeliveryTimeoutMs = 30_000;

    /// <summary>How many of the topic's error classes a note about a class asked for in vain names.</summary>
    private const int MaxClassesNamed = 12;

    private readonly SortedDictionary<string, long> _sentByTopic = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _notReplayed = new(StringComparer.Ordinal);

    /// <summary>The input records sent (or, in a dry run, that would be): a record dead-lettered again is sent once.</summary>
    private readonly HashSet<RecordOrigin> _origins = [];
    private long _repeats;

    /// <summary>The classes asked for that some dead letter on the topic has: one asked for in vain is said so.</summary>
    private readonly HashSet<string> _classesFound = new(StringComparer.Ordinal);

    /// <summary>
    /// Error classes on the topic, printable, to name beside a class asked for in vain; a few only, since each is header
    /// text anyone able to write to the topic chose.
    /// </summary>
    private readonly SortedSet<string> _classesOnTopic = new(StringComparer.Ordinal);
    private bool _moreClassesOnTopic;
    private IProducer<byte[]?, byte[]?>? _producer;
    private long _olderThanGrace;
    private long _acknowledged;
    private long _failed;
    private string? _firstFailure;

    public long Sent => _sentByTopic.Values.Sum();

    /// <summary>Dead letters of other classes or topics, and records without our headers: left where they are.</summary>
    public long LeftAlone { get; private set; }

    public long Failed => Interlocked.Read(ref _failed);

    public void Open(KafkaOptions kafka)
    {
        if (!dryRun)
        {
            var config = KafkaClientConfigs.Producer(kafka, $"{kafka.ApplicationId}-dead-letter-replay");
            // librdkafka retries a send for five minutes by default; within the wait of Finish every send is then
            // either acknowledged or reported failed, and the summary's count of unacknowledged ones is final.
            config.MessageTimeoutMs = DeliveryTimeoutMs;
            _producer = new ProducerBuilder<byte[]?, byte[]?>(config).SetLogHandler(KafkaClientLog.Discard).Build();
        }
    }

    public void Add(ConsumeResult<byte[]?, byte[]?> record, DeadLetterEnvelope? letter)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (letter is not null)
        {
            NoteClass(letter.ErrorClass);
        }

        if (letter is null || !selection.Takes(letter))
        {
            LeftAlone++;
            return;
        }

        if (!_origins.Add(letter.Origin))
        {
            _repeats++;
            return;
        }

        var target = targets.For(letter);
        if (target.Topic is null)
        {
            // The reason names the origin topic, which a forged header may have filled with anything.
            var why = TerminalText.Printable(target.WhyNot!);
            _notReplayed[why] = _notReplayed.GetValueOrDefault(why) + 1;
            return;
        }

        _sentByTopic[target.Topic] = _sentByTopic.GetValueOrDefault(target.Topic) + 1;
        var timestampMs = letter.OriginTimestampMs > 0 ? letter.OriginTimestampMs : record.Message.Timestamp.UnixTimestampMs;
        if (targets.IsJudgedByGrace(target.Topic) && grace.IsOlder(timestampMs))
        {
            _olderThanGrace++;
        }

        if (_producer is null)
        {
            return;
        }

        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Message.Key,
            Value = record.Message.Value,
            Headers = [],
            Timestamp = new Timestamp(timestampMs, TimestampType.CreateTime),
        };
        foreach (var (name, value) in letter.OriginalHeaders)
        {
            message.Headers.Add(name, value);
        }

        // No partition is named: the producer hashes the key with murmur2, as the Java client does, so a record that a
        // CRC32 client put on the wrong partition (MisPartitionedKey) goes back where the processor looks for it.
        ProducerBackpressure.Produce(_producer, target.Topic, message, OnDelivery);
    }

    /// <summary>Waits for the brokers to acknowledge every record sent; false when some were not (a dry run sends none).</summary>
    public bool Finish(TimeSpan timeout)
    {
        if (_producer is null)
        {
            return true;
        }

        _producer.Flush(timeout);
        return Interlocked.Read(ref _acknowledged) == Sent && Failed == 0;
    }

    public IEnumerable<string> Lines()
    {
        var verb = dryRun ? "would replay" : "replayed";
        yield return Sent == 0
            ? $"{verb} no dead letters"
            : $"{verb} {Sent:N0} dead letter{(Sent == 1 ? string.Empty : "s")}: {string.Join(", ", _sentByTopic.Select(t => $"{t.Key} {t.Value:N0}"))}";
        if (_olderThanGrace > 0)
        {
            yield return $"older than the grace period (Context:GraceSeconds, {grace.Grace.TotalSeconds:N0} s): {_olderThanGrace:N0} event{(_olderThanGrace == 1 ? string.Empty : "s")}; "
                + "the processor applies such an event only if its customer has no event of the same kind newer by more than that, and counts it late otherwise (c360_records_late_total)";
        }

        if (_repeats > 0)
        {
            yield return $"each record once: {_repeats:N0} more dead letter{(_repeats == 1 ? string.Empty : "s")} of a record already among them (dead-lettered again after its input was read again)";
        }

        foreach (var (why, count) in _notReplayed)
        {
            yield return $"not replayed: {count:N0}, {why}";
        }

        foreach (var missing in selection.ErrorClasses.Where(c => !_classesFound.Contains(c)).Order(StringComparer.Ordinal))
        {
            var classes = _classesOnTopic.Count == 0 ? "it has none" : $"it has {string.Join(", ", _classesOnTopic)}{(_moreClassesOnTopic ? ", …" : string.Empty)}";
            yield return $"no dead letter of class {TerminalText.Printable(missing)} on the topic ({classes})";
        }

        yield return $"left alone: {LeftAlone:N0} (other classes or topics, or not written by c360)";
        if (dryRun)
        {
            yield return "dry run: nothing sent";
        }
        else if (Failed > 0 || Interlocked.Read(ref _acknowledged) < Sent)
        {
            yield return $"not acknowledged by the brokers: {Sent - Interlocked.Read(ref _acknowledged):N0} ({_firstFailure ?? "no answer in time"}); replaying again is safe";
        }
    }

    public void Dispose() => _producer?.Dispose();

    private void NoteClass(string errorClass)
    {
        if (selection.ErrorClasses.Contains(errorClass))
        {
            _classesFound.Add(errorClass);
        }

        var printable = TerminalText.Printable(errorClass);
        if (!_classesOnTopic.Contains(printable))
        {
            if (_classesOnTopic.Count < MaxClassesNamed)
            {
                _classesOnTopic.Add(printable);
            }
            else
            {
                _moreClassesOnTopic = true;
            }
        }
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstFailure, report.Error.Reason, null);
        }
        else
        {
            Interlocked.Increment(ref _acknowledged);
        }
    }
}
