using Avro;
using Avro.Generic;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// How the trigger stage turns its records into bytes with the registry: the context pipeline's codec does it, and
/// the stage names only this, so dependencies point from the pipeline to the stage.
/// </summary>
internal interface ITriggerRecordEncoder
{
    /// <summary>A record built in full.</summary>
    byte[] Encode(GenericRecord record, string topic);

    /// <summary>A record of <paramref name="schema"/> written field by field; null when the topic's writer uses another schema.</summary>
    byte[]? EncodeBody<T>(RecordSchema schema, string topic, T value, Action<T, Avro.IO.Encoder> writeBody);
}
