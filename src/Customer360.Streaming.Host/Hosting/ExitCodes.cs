namespace Customer360.Streaming.Host.Hosting;

/// <summary>Process exit codes, so scripts can tell bad configuration from a runtime failure.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int RuntimeFailure = 1;
    public const int InvalidConfiguration = 2;
}
