namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>Why a record could not be serialized or deserialized.</summary>
public enum SerdeErrorKind
{
    /// <summary>Shorter than the 5-byte header, or a magic byte other than 0: not Confluent-framed Avro.</summary>
    BadFraming,

    /// <summary>The schema id is not known to the registry (40403).</summary>
    UnknownSchemaId,

    /// <summary>The body does not decode with the writer schema (truncated, corrupt, absurd lengths).</summary>
    DecodeFailure,

    /// <summary>The id names a registered schema that cannot be resolved against the topic's contract (another contract's schema).</summary>
    IncompatibleSchema,

    /// <summary>The payload is larger than the configured cap; it was not decoded.</summary>
    TooLarge,

    /// <summary>No schema id could be found or registered for the value's schema under its subject.</summary>
    SchemaNotRegistered,

    /// <summary>The registry could not be reached or answered 5xx: retry later, never dead-letter.</summary>
    RegistryUnavailable,

    /// <summary>The id is unknown, but within <c>SchemaRegistry:UnknownIdRetrySeconds</c> of first being missed: retry later.</summary>
    UnknownSchemaIdRetrying,

    /// <summary>
    /// The registry refused our credentials (401) or this subject to them (403): the client's settings are wrong, not
    /// the record, so retry later (a token may be refreshed, or the settings mended and the processor restarted).
    /// </summary>
    RegistryRefusedCredentials,
}

/// <summary>
/// A serialization failure with its kind. Permanent kinds belong in the dead-letter queue; a transient one
/// (<see cref="IsTransient"/>) means pause and retry. Messages never contain payload values.
/// </summary>
public sealed class SerdeException : Exception
{
    public SerdeException(SerdeErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public SerdeException()
        : this(SerdeErrorKind.DecodeFailure, "Serialization failed.")
    {
    }

    public SerdeException(string message)
        : this(SerdeErrorKind.DecodeFailure, message)
    {
    }

    public SerdeException(string message, Exception innerException)
        : this(SerdeErrorKind.DecodeFailure, message, innerException)
    {
    }

    public SerdeErrorKind Kind { get; }

    /// <summary>True when retrying the same bytes later can succeed.</summary>
    public bool IsTransient => Kind is SerdeErrorKind.RegistryUnavailable or SerdeErrorKind.UnknownSchemaIdRetrying or SerdeErrorKind.RegistryRefusedCredentials;

    /// <summary>The failure happened writing a record (no schema id for it), not reading one.</summary>
    public bool DuringWrite => Kind == SerdeErrorKind.SchemaNotRegistered;

    /// <summary>The schema id from the header, when it was read.</summary>
    public int? SchemaId { get; init; }

    /// <summary>A lookup the registry refused for our credentials, naming the settings to check and never their values.</summary>
    internal static SerdeException RefusedCredentials(Registry.SchemaRegistryException error, string doing, int? schemaId = null) => new(
        SerdeErrorKind.RegistryRefusedCredentials,
        $"Schema Registry refused our credentials ({error.ErrorCode}) {doing}: check SchemaRegistry:BasicAuthUserInfo or the SchemaRegistry:BearerAuth… settings",
        error)
    {
        SchemaId = schemaId,
    };
}
