using Avro;
using Avro.Generic;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// How one kind of trigger-stage output becomes bytes: written field by field when its contract has the layout the
/// body writer knows, else built as a record (a newer contract version, or a topic whose writer is the registry's
/// latest schema). The delegates are made once, here, not per output.
/// </summary>
internal sealed class OutputEncoding<T>(
    ITriggerRecordEncoder codec, RecordSchema schema, Func<RecordSchema, bool> writesLayout, Action<T, Avro.IO.Encoder> writeBody, Func<T, GenericRecord> buildRecord)
{
    private readonly bool _writesBody = writesLayout(schema);

    public byte[] Encode(T value, string topic) =>
        (_writesBody ? codec.EncodeBody(schema, topic, value, writeBody) : null) ?? codec.Encode(buildRecord(value), topic);
}
