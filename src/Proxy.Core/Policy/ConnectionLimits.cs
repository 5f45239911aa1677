using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Listening;

namespace Proxy.Core.Policy;

/// <summary>
/// Exchange's three connection limits, per protocol: <c>MaxConnections</c> and
/// <c>MaxConnectionFromSingleIP</c> count connections from accept to close;
/// <c>MaxConnectionsPerUser</c> counts logged-in sessions by the directory's UPN, from the
/// successful login to the session's end. The counters are lock-free and never overshoot;
/// the limits are read on every connection, so a changed setting applies to the next one.
/// </summary>
internal sealed partial class ConnectionLimits(
    IOptionsMonitor<ProxyOptions> options,
    ProxyMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ConnectionLimits> logger)
{
    /// <summary>A flood of refused connections writes one warning per protocol and limit in this time, with the count of the others.</summary>
    internal static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    private readonly ProtocolCounters _imap = new();
    private readonly ProtocolCounters _pop3 = new();

    /// <summary>Connections of <paramref name="protocol"/> open now (for tests and diagnostics).</summary>
    public int OpenConnections(MailProtocol protocol) => Counters(protocol).Total.Count;

    public int OpenConnectionsFrom(MailProtocol protocol, IPAddress address) => Counters(protocol).PerAddress.Count(ClientAddressKey.From(address));

    public int OpenSessionsOf(MailProtocol protocol, string userPrincipalName) => Counters(protocol).PerUser.Count(userPrincipalName);

    /// <summary>
    /// Counts a just-accepted connection, or refuses it (logged, counted) when a limit is reached.
    /// The lease is held until the connection closes.
    /// </summary>
    public ConnectionLease? TryOpenConnection(MailProtocol protocol, EndPoint? remoteEndPoint, out ConnectionRefusal refusal)
    {
        var settings = Settings(protocol);
        var counters = Counters(protocol);
        if (!counters.Total.TryEnter(settings.MaxConnections))
        {
            refusal = ConnectionRefusal.MaxConnections;
            Refused(protocol, refusal, remoteEndPoint, settings.MaxConnections, counters.TotalReport);
            return null;
        }

        var key = ClientAddressKey.From(remoteEndPoint);
        ConcurrencySlot? addressSlot = null;
        if (key is { } address)
        {
            addressSlot = counters.PerAddress.TryEnter(address, settings.MaxConnectionFromSingleIP);
            if (addressSlot is null)
            {
                counters.Total.Exit();
                refusal = ConnectionRefusal.MaxConnectionFromSingleIP;
                Refused(protocol, refusal, remoteEndPoint, settings.MaxConnectionFromSingleIP, counters.AddressReport);
                return null;
            }
        }

        refusal = default;
        return new ConnectionLease(() =>
        {
            if (addressSlot is not null)
            {
                counters.PerAddress.Exit(key!.Value, addressSlot);
            }

            counters.Total.Exit();
        });
    }

    /// <summary>
    /// Counts a logged-in session of <paramref name="userPrincipalName"/> (case-insensitive), or
    /// refuses it with event 1009 when the user already has <c>MaxConnectionsPerUser</c>.
    /// </summary>
    public ConnectionLease? TryOpenUserSession(MailProtocol protocol, string userPrincipalName, string? clientAddress)
    {
        var limit = Settings(protocol).MaxConnectionsPerUser;
        var counters = Counters(protocol);
        var slot = counters.PerUser.TryEnter(userPrincipalName, limit);
        if (slot is null)
        {
            // Every refusal is logged: each took the right password, so this is no flood, and an
            // operator asked "why can't alice connect" needs the line.
            Log.UserLimitReached(logger, ExchangeName(protocol), userPrincipalName, limit, clientAddress ?? "unknown");
            metrics.ConnectionRefused(protocol, "max_connections_per_user");
            return null;
        }

        return new ConnectionLease(() => counters.PerUser.Exit(userPrincipalName, slot));
    }

    private void Refused(MailProtocol protocol, ConnectionRefusal refusal, EndPoint? remoteEndPoint, int limit, RefusalReport report)
    {
        metrics.ConnectionRefused(protocol, refusal == ConnectionRefusal.MaxConnections ? "max_connections" : "max_connections_per_ip");
        if (!report.ShouldReport(timeProvider.GetUtcNow(), out var others))
        {
            return;
        }

        var client = remoteEndPoint?.ToString() ?? "unknown";
        if (refusal == ConnectionRefusal.MaxConnections)
        {
            Log.MaxConnectionsReached(logger, ExchangeName(protocol), client, limit, others);
        }
        else
        {
            Log.AddressLimitReached(logger, ExchangeName(protocol), client, limit, others);
        }
    }

    private MailProtocolOptions Settings(MailProtocol protocol) =>
        protocol == MailProtocol.Imap ? options.CurrentValue.Imap : options.CurrentValue.Pop3;

    private ProtocolCounters Counters(MailProtocol protocol) => protocol == MailProtocol.Imap ? _imap : _pop3;

    private static string ExchangeName(MailProtocol protocol) => protocol == MailProtocol.Imap ? "IMAP4" : "POP3";

    private sealed class ProtocolCounters
    {
        public ConcurrencySlot Total { get; } = new();

        public ConcurrencySlots<UInt128> PerAddress { get; } = new();

        public ConcurrencySlots<string> PerUser { get; } = new(StringComparer.OrdinalIgnoreCase);

        public RefusalReport TotalReport { get; } = new();

        public RefusalReport AddressReport { get; } = new();
    }

    /// <summary>Lets one warning through per <see cref="ReportInterval"/> and counts the refusals in between.</summary>
    private sealed class RefusalReport
    {
        private long _nextReportTicks;
        private int _unreported;

        public bool ShouldReport(DateTimeOffset now, out int unreported)
        {
            var next = Volatile.Read(ref _nextReportTicks);
            if (now.UtcTicks >= next && Interlocked.CompareExchange(ref _nextReportTicks, now.UtcTicks + ReportInterval.Ticks, next) == next)
            {
                unreported = Interlocked.Exchange(ref _unreported, 0);
                return true;
            }

            Interlocked.Increment(ref _unreported);
            unreported = 0;
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1009, EventName = nameof(EventIds.UserConnectionLimitReached), Level = LogLevel.Warning,
            Message = "{Protocol}: Number of simultaneous connections made by user {User} exceeded maximum ({Limit}) set by MaxConnectionsPerUser; the login was refused. Client: {ClientAddress}.")]
        public static partial void UserLimitReached(ILogger logger, string protocol, string user, int limit, string clientAddress);

        [LoggerMessage(EventId = 1101, EventName = nameof(EventIds.ConnectionLimitReached), Level = LogLevel.Warning,
            Message = "{Protocol}: A connection from {ClientAddress} was refused: the server already has the maximum of {Limit} connections set by MaxConnections. Refused since the last report: {Unreported} more.")]
        public static partial void MaxConnectionsReached(ILogger logger, string protocol, string clientAddress, int limit, int unreported);

        [LoggerMessage(EventId = 1103, EventName = nameof(EventIds.AddressConnectionLimitReached), Level = LogLevel.Warning,
            Message = "{Protocol}: A connection from {ClientAddress} was refused: that address already has the maximum of {Limit} connections set by MaxConnectionFromSingleIP. Refused since the last report: {Unreported} more.")]
        public static partial void AddressLimitReached(ILogger logger, string protocol, string clientAddress, int limit, int unreported);
    }
}
