using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Core.Configuration;

namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// A logging provider that feeds <see cref="RecentEventBuffer"/> with the product's own refusals
/// and errors (categories <c>Proxy.*</c>; see <see cref="RecentEventKinds"/>). The events are
/// already written once, as structured log entries with stable ids; this reads them there rather
/// than adding a second report to every refusal in the pipeline.
/// </summary>
public sealed class RecentEventLoggerProvider(RecentEventBuffer buffer, TimeProvider timeProvider) : ILoggerProvider
{
    /// <summary>Longest message kept; a longer one is cut (a refused reload can list many errors).</summary>
    internal const int MaxMessageLength = 2000;

    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Proxy" || categoryName.StartsWith("Proxy.", StringComparison.Ordinal)
            ? new RecentEventLogger(buffer, timeProvider)
            : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class RecentEventLogger(RecentEventBuffer buffer, TimeProvider timeProvider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!RecentEventKinds.IsKept(eventId.Id, logLevel))
            {
                return;
            }

            string? protocol = null, user = null, client = null, server = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (name, value) in values)
                {
                    switch (name)
                    {
                        case "Protocol":
                            protocol ??= ProtocolOf(value);
                            break;
                        case "User" or "UserName" or "LoginName" or "Upn":
                            user ??= value as string;
                            break;
                        case "Client" or "ClientAddress":
                            client ??= AddressOf(value);
                            break;
                        case "Server":
                            server ??= value as string;
                            break;
                    }
                }
            }

            var message = formatter(state, exception);
            if (message.Length > MaxMessageLength)
            {
                message = message[..MaxMessageLength] + "…";
            }

            buffer.Add(new RecentEvent(
                timeProvider.GetUtcNow(), RecentEventKinds.Of(eventId.Id), eventId.Id, eventId.Name, logLevel, protocol, user, client, server, message));
        }

        /// <summary>Templates pass the protocol as the enum or as Exchange's names (IMAP4, POP3).</summary>
        private static string? ProtocolOf(object? value) => value switch
        {
            MailProtocol protocol => ProxyMetrics.ProtocolName(protocol),
            string text when text.StartsWith("imap", StringComparison.OrdinalIgnoreCase) => "imap",
            string text when text.StartsWith("pop", StringComparison.OrdinalIgnoreCase) => "pop3",
            _ => null,
        };

        private static string? AddressOf(object? value) => value switch
        {
            IPEndPoint endPoint => endPoint.Address.ToString(),
            IPAddress address => address.ToString(),
            string text when IPEndPoint.TryParse(text, out var endPoint) => endPoint.Address.ToString(),
            string text when text.Length > 0 => text,
            _ => null,
        };
    }
}
