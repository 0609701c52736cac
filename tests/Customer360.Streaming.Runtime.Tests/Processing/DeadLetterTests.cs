using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

public sealed class DeadLetterTests
{
    [Fact]
    public void InvalidRecord_GoesToTheDeadLetterTopicUnchangedWithOriginHeaders_AndTheNextRecordFlows()
    {
        var driver = new TopologyTestDriver(Topology());
        var original = new List<KeyValuePair<string, byte[]>> { new("trace-id", "t-1"u8.ToArray()) };

        var poisoned = driver.PipeInput("in", "k1", Encoding.UTF8.GetBytes("poison"), 1_234, original);
        var next = driver.PipeInput("in", "k2", Encoding.UTF8.GetBytes("fine"), 1_235);

        Assert.Equal(TaskOutcome.DeadLettered, poisoned);
        Assert.Equal(TaskOutcome.Processed, next);
        var dead = Assert.Single(driver.ReadOutput("dlq"));
        Assert.Equal("k1", Encoding.UTF8.GetString(dead.Key!));
        Assert.Equal("poison", Encoding.UTF8.GetString(dead.Value!));
        Assert.Equal("t-1", RecordHeaders.Find(dead.Headers, "trace-id"));
        Assert.Equal("in", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginTopic));
        Assert.Equal("0", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginPartition));
        Assert.Equal("0", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginOffset));
        Assert.Equal("1234", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginTimestamp));
        Assert.Equal("app", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqGroup));
        Assert.Equal("validate", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqStage));
        Assert.Equal("InvalidValue", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorClass));
        Assert.Single(driver.ReadOutput("out"));
    }

    [Fact]
    public void UnexpectedException_WithDefaultPolicy_StopsTheTopology_WithDeadLetterPolicy_IsDeadLettered()
    {
        var failing = new TopologyTestDriver(Topology());
        var error = Assert.Throws<StreamsFatalException>(() => failing.PipeInput("in", "k", "crash", 1));
        Assert.Contains("Streams:OnProcessingError is Fail", error.Message, StringComparison.Ordinal);
        Assert.Empty(failing.ReadOutput("dlq"));

        var tolerant = new TopologyTestDriver(Topology(), options: new StreamsOptions { OnProcessingError = ErrorPolicy.DeadLetter });
        Assert.Equal(TaskOutcome.DeadLettered, tolerant.PipeInput("in", "k", "crash", 1));
        var dead = Assert.Single(tolerant.ReadOutput("dlq"));
        Assert.Equal("process", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqStage));
        // The exception message could quote data; only its type is kept.
        Assert.Equal("FormatException (message withheld: it may contain record data)", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage));
    }

    [Fact]
    public void OversizedRecord_IsDeadLetteredWithinTheProducerLimit_KeepingHeadersAndAsMuchOfTheValueAsFits()
    {
        var driver = new TopologyTestDriver(Topology(), options: new StreamsOptions { DeadLetterMaxBytes = 100_000 });
        using var counters = new CounterRecorder(driver.Metrics.Meter);
        var huge = new byte[2 * 1024 * 1024];
        huge.AsSpan().Fill((byte)'x');
        "poison"u8.CopyTo(huge);

        Assert.Equal(TaskOutcome.DeadLettered, driver.PipeInput("in", "k1", huge, 1, [new("trace-id", "t-1"u8.ToArray())]));

        var dead = Assert.Single(driver.ReadOutput("dlq"));
        var size = dead.Key!.Length + dead.Value!.Length + dead.Headers.Sum(h => h.Key.Length + h.Value.Length);
        Assert.True(size <= 100_000, $"the dead letter is {size} bytes, over Streams:DeadLetterMaxBytes");
        Assert.True(dead.Value.Length > 90_000, $"only {dead.Value.Length} bytes of the value were kept");
        Assert.Equal(huge.AsSpan(0, dead.Value.Length).ToArray(), dead.Value);
        Assert.Equal("2097152", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqValueTruncatedFrom));
        Assert.Equal("t-1", RecordHeaders.Find(dead.Headers, "trace-id"));
        Assert.Equal("InvalidValue", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorClass));
        Assert.Equal(1, counters.Total("c360.dead_letters.truncated"));
    }

    [Fact]
    public void RecordWhoseHeadersAloneExceedTheLimit_IsStillDeadLettered_WithValueAndKeyCutAway()
    {
        var driver = new TopologyTestDriver(Topology(), options: new StreamsOptions { DeadLetterMaxBytes = 20_000 });

        var outcome = driver.PipeInput("in", "k1", Encoding.UTF8.GetBytes("poison"), 1, [new("bulky", new byte[50_000])]);

        Assert.Equal(TaskOutcome.DeadLettered, outcome);
        var dead = Assert.Single(driver.ReadOutput("dlq"));
        Assert.Empty(dead.Value!);
        Assert.Equal("6", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqValueTruncatedFrom));
    }

    [Fact]
    public void RecordThatFits_IsDeadLetteredWhole_WithoutATruncationHeader()
    {
        var driver = new TopologyTestDriver(Topology(), options: new StreamsOptions { DeadLetterMaxBytes = 100_000 });

        driver.PipeInput("in", "k1", Encoding.UTF8.GetBytes("poison" + new string('x', 90_000)), 1);

        var dead = Assert.Single(driver.ReadOutput("dlq"));
        Assert.Equal(90_006, dead.Value!.Length);
        Assert.Null(RecordHeaders.Find(dead.Headers, RecordHeaders.DlqValueTruncatedFrom));
    }

    [Fact]
    public void TransientFailure_IsRetriedLaterAndNeverDeadLettered()
    {
        var driver = new TopologyTestDriver(Topology());

        Assert.Equal(TaskOutcome.RetryLater, driver.PipeInput("in", "k", "registry-down", 1));
        Assert.Empty(driver.ReadOutput("dlq"));
        Assert.Empty(driver.ReadOutput("out"));
    }

    private static StreamTopology Topology() =>
        new StreamTopologyBuilder("app").DeadLetterTo("dlq")
            .AddSubTopology("validate", ["in"], () => new ValidatingProcessor(), sinks: ["out"])
            .Build();

    private sealed class ValidatingProcessor : IProcessor
    {
        private IProcessorContext _context = null!;

        public void Init(IProcessorContext context) => _context = context;

        public void Process(StreamRecord record)
        {
            switch (Encoding.UTF8.GetString(record.Value!) is var text && text.StartsWith("poison", StringComparison.Ordinal) ? "poison" : text)
            {
                case "poison":
                    throw new PoisonRecordException("value is not a known event type");
                case "crash":
                    throw new FormatException("secret payload 4711 could not be parsed");
                case "registry-down":
                    throw new TransientProcessingException("schema registry unreachable");
                default:
                    _context.Emit("out", record.Key, record.Value);
                    break;
            }
        }
    }
}
