using System.Text;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Testing.Streams;

/// <summary>
/// Two sub-topologies joined by a repartition topic, the product's shape in miniature: the first re-keys each record
/// by its value (as identity stitching re-keys device events by customer), the second counts per new key.
/// </summary>
public static class RekeyThenCount
{
    /// <summary>The repartition topic's short name: the topic is <c>&lt;application&gt;-by-customer-repartition</c>.</summary>
    public const string RepartitionName = "by-customer";

    public static StreamTopology Topology(string applicationId, string input, string output)
    {
        var builder = new StreamTopologyBuilder(applicationId).AddStore(CountingProcessor.Store);
        var repartition = builder.Repartition(RepartitionName);
        return builder
            .AddSubTopology("rekey", [input], () => new RekeyByValueProcessor(repartition), sinks: [repartition])
            .AddSubTopology("count", [repartition], () => new CountingProcessor(output), [CountingProcessor.Store], [output])
            .Build();
    }

    private sealed class RekeyByValueProcessor(string repartition) : IProcessor
    {
        private IProcessorContext _context = null!;

        public void Init(IProcessorContext context) => _context = context;

        public void Process(StreamRecord record) => _context.Emit(repartition, Encoding.UTF8.GetString(record.Value!), record.Value);
    }
}
