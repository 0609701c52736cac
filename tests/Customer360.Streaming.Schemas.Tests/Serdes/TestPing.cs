using Avro;
using Avro.Specific;

#pragma warning disable IDE1006, CA1050, CA1707 // The C# namespace must equal the Avro namespace for specific readers to find the type.
namespace customer360.test;

/// <summary>A hand-written specific record, as avrogen would generate it.</summary>
public sealed class TestPing : ISpecificRecord
{
    public static readonly Schema _SCHEMA = Schema.Parse(
        """{"type":"record","name":"TestPing","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"},{"name":"count","type":"int"}]}""");

    public Schema Schema => _SCHEMA;

    public string EventId { get; set; } = string.Empty;

    public int Count { get; set; }

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => EventId,
        1 => Count,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos}"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0:
                EventId = (string)fieldValue;
                break;
            case 1:
                Count = (int)fieldValue;
                break;
            default:
                throw new AvroRuntimeException($"Bad index {fieldPos}");
        }
    }
}
