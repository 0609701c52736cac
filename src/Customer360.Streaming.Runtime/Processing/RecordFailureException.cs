namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// A failure of one record that its thrower has classified: a library that knows nothing of the runtime (a serde, a
/// client) throws its own exception, and the processor translates it into this at the boundary. Its message must be
/// free of payload values: it goes into the dead letter and the logs.
/// </summary>
public sealed class RecordFailureException : Exception, IClassifiedError
{
    public RecordFailureException(ErrorStage stage, string errorClass, bool isTransient, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Stage = stage;
        ErrorClass = errorClass;
        IsTransient = isTransient;
    }

    public RecordFailureException()
        : this(ErrorStage.Process, "Unclassified", false, "A record failed.")
    {
    }

    public RecordFailureException(string message)
        : this(ErrorStage.Process, "Unclassified", false, message)
    {
    }

    public RecordFailureException(string message, Exception innerException)
        : this(ErrorStage.Process, "Unclassified", false, message, innerException)
    {
    }

    public ErrorStage Stage { get; }

    public string ErrorClass { get; }

    public bool IsTransient { get; }
}
