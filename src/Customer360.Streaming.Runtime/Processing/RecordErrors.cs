namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What an exception a record met means for it: its stage, its class, whether a retry may help, and what of it may be told.</summary>
internal static class RecordErrors
{
    /// <summary>
    /// What a dead letter or a retry reason may say of the error. Classified errors (ours) carry messages written
    /// without payload values; anything else may quote data, so only its type is told.
    /// </summary>
    public static string Sanitize(Exception error) => error switch
    {
        IClassifiedError or PoisonRecordException => Truncate(error.Message),
        _ => $"{error.GetType().Name} (message withheld: it may contain record data)",
    };

    /// <summary>The setting that says whether a permanent failure at <paramref name="stage"/> is dead-lettered or stops the topology.</summary>
    public static string OptionFor(ErrorStage stage) => stage switch
    {
        ErrorStage.Deserialize => nameof(StreamsOptions.OnDeserializationError),
        ErrorStage.Validate => nameof(StreamsOptions.OnValidationError),
        _ => nameof(StreamsOptions.OnProcessingError),
    };

    private static string Truncate(string message) => message.Length <= 500 ? message : message[..500];

    /// <summary>Where the record failed, the error class a dead letter names, and whether retrying the record later can succeed.</summary>
    public static (ErrorStage Stage, string ErrorClass, bool Transient) Classify(Exception error) => error switch
    {
        IClassifiedError classified => (classified.Stage, classified.ErrorClass, classified.IsTransient),
        TransientProcessingException => (ErrorStage.Process, "Transient", true),
        PoisonRecordException => (ErrorStage.Validate, "InvalidValue", false),
        _ => (ErrorStage.Process, error.GetType().Name, false),
    };
}
