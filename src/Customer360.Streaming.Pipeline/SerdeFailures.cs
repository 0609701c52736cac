using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// What a serde failure means to the runtime. The serdes know nothing of stream processing; a processor translates
/// their failure here: a failed read is a deserialization error, a write without a schema id a processing error, and
/// an unreachable registry (or an id it may yet learn) transient, so the partition pauses and retries.
/// </summary>
public static class SerdeFailures
{
    public static RecordFailureException AsRecordFailure(this SerdeException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RecordFailureException(error.DuringWrite ? ErrorStage.Process : ErrorStage.Deserialize, error.Kind.ToString(), error.IsTransient, error.Message, error);
    }
}
