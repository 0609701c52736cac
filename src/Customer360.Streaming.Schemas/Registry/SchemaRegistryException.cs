namespace Customer360.Streaming.Schemas.Registry;

/// <summary>An error answered by the registry (with its error code) or the failure to reach it.</summary>
public sealed class SchemaRegistryException : Exception
{
    /// <summary>Error codes of the Confluent REST API that callers act on.</summary>
    public static class Codes
    {
        public const int SubjectNotFound = 40401;
        public const int VersionNotFound = 40402;
        public const int SchemaNotFound = 40403;
        public const int SubjectLevelNotConfigured = 40408;
        public const int IncompatibleSchema = 409;
        public const int InvalidSchema = 42201;
        public const int InvalidVersion = 42202;
        public const int InvalidCompatibilityLevel = 42203;
        public const int BackendStoreError = 50001;

        /// <summary>No answer at all (connection refused, timeout).</summary>
        public const int Unreachable = -1;
    }

    public SchemaRegistryException(int httpStatus, int errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        HttpStatus = httpStatus;
        ErrorCode = errorCode;
    }

    public SchemaRegistryException()
        : this(0, Codes.Unreachable, "Schema Registry request failed.")
    {
    }

    public SchemaRegistryException(string message)
        : this(0, Codes.Unreachable, message)
    {
    }

    public SchemaRegistryException(string message, Exception innerException)
        : this(0, Codes.Unreachable, message, innerException)
    {
    }

    /// <summary>HTTP status, or 0 when there was no answer.</summary>
    public int HttpStatus { get; }

    /// <summary>The registry's <c>error_code</c>, the HTTP status when the body had none, or <see cref="Codes.Unreachable"/>.</summary>
    public int ErrorCode { get; }

    /// <summary>Retrying later can succeed: no answer, 5xx or 429.</summary>
    public bool IsTransient => HttpStatus == 0 || HttpStatus >= 500 || HttpStatus == 429;

    /// <summary>The registry refused the client's credentials (401), or what was asked to them (403).</summary>
    public bool RefusesCredentials => HttpStatus is 401 or 403;
}
