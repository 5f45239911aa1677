using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Proxy.IntegrationTests.Harness;

/// <summary>Keeps every log line the proxy writes, with its event id, so tests can assert on events.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    public IEnumerable<CapturedLog> WithEventId(int id) => _entries.Where(e => e.EventId == id);

    /// <summary>Everything written, as one text (messages and exceptions), for leak searches.</summary>
    public string AllText => string.Join('\n', _entries.Select(e => e.ToString()));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new CapturedLog(category, logLevel, eventId.Id, formatter(state, exception), exception?.ToString()));
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, int EventId, string Message, string? Exception)
{
    public override string ToString() => $"{Level} [{EventId}] {Category}: {Message}{(Exception is null ? "" : "\n" + Exception)}";
}
