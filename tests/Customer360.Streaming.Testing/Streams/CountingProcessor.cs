using System.Globalization;
using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Testing.Streams;

/// <summary>
/// Counts records per key in the store <see cref="Store"/> and emits (key, count) for each: the topology the runtime's
/// guarantees are tested with, because a lost or doubled input shows in the final counts.
/// </summary>
public sealed class CountingProcessor(string output) : IProcessor
{
    public const string Store = "counts";

    private IProcessorContext _context = null!;
    private IKeyValueStore _counts = null!;

    /// <param name="around">Wraps each task's counting processor (a test's failing dependency, say); none by default.</param>
    public static StreamTopology Topology(string applicationId, string input, string output, string deadLetters = "dlq", Func<IProcessor, IProcessor>? around = null) =>
        new StreamTopologyBuilder(applicationId)
            .AddStore(Store)
            .DeadLetterTo(deadLetters)
            .AddSubTopology("count", [input], () => around is null ? new CountingProcessor(output) : around(new CountingProcessor(output)), [Store], [output])
            .Build();

    public static long Decode(byte[]? value) => value is null ? 0 : long.Parse(Encoding.UTF8.GetString(value), CultureInfo.InvariantCulture);

    public void Init(IProcessorContext context)
    {
        _context = context;
        _counts = context.Store(Store);
    }

    public void Process(StreamRecord record)
    {
        var key = record.Key ?? throw new PoisonRecordException("a counted record needs a key");
        if (_context.IsReplay(_counts, key))
        {
            return;
        }

        var count = Decode(_counts.Get(key)) + 1;
        var value = Encoding.UTF8.GetBytes(count.ToString(CultureInfo.InvariantCulture));
        _counts.Put(key, value);
        _context.Emit(output, key, value);
    }
}
