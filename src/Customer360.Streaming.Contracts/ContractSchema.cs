using Avro;

namespace Customer360.Streaming.Contracts;

/// <summary>One version of a contract from <c>schemas/&lt;name&gt;/vN.avsc</c>.</summary>
public sealed record ContractSchema(string Name, int Version, RecordSchema Schema, string Path)
{
    public string Json => Schema.ToString();
}
