using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// What a serde failure means to the runtime. The serdes know nothing of stream processing; a processor translates
/// their failure here: a failed read is a deserialization error, and an unreachable registry (or an id it may yet
/// learn) transient, so the partition pauses and retries. A write without a schema id is transient too: the registry
/// refused the schema of one of our outputs (incompatible with its subject, unregistered where auto-registration is
/// off, another latest version), which no input caused and only an operator can mend. Dead-lettered, every input after
/// it would follow; failed, the processor would stop for a registry setting.
/// </summary>
public static class SerdeFailures
{
    public static RecordFailureException AsRecordFailure(this SerdeException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var stage = error.DuringWrite ? ErrorStage.Process : ErrorStage.Deserialize;
        return new RecordFailureException(stage, error.Kind.ToString(), error.IsTransient || error.DuringWrite, error.Message, error);
    }
}
