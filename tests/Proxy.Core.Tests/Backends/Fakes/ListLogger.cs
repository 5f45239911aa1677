using Microsoft.Extensions.Logging;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>Keeps every log entry, so tests can assert what an administrator would read.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public string AllText => string.Join("\n", Entries.Select(e => e.Message));

    public IReadOnlyList<LogEntry> WithEvent(string eventName) => Entries.Where(e => e.EventId.Name == eventName).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add(new LogEntry(logLevel, eventId, formatter(state, exception)));
        }
    }
}

internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message);
