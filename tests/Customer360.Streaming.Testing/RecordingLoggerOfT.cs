using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Testing;

/// <summary>A <see cref="RecordingLogger"/> for classes that ask for a typed <see cref="ILogger{TCategoryName}"/>.</summary>
public sealed class RecordingLogger<TCategory> : ILogger<TCategory>
{
    public RecordingLogger Recorded { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => Recorded.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => Recorded.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Recorded.Log(logLevel, eventId, state, exception, formatter);
}
