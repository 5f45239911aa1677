using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.Policy;
using Proxy.Core.Tests.Discovery;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Policy;

public sealed class ConnectionLimitsTests : IDisposable
{
    private static readonly IPEndPoint ClientA = new(IPAddress.Parse("192.0.2.10"), 40000);
    private static readonly IPEndPoint ClientB = new(IPAddress.Parse("192.0.2.11"), 40000);

    private readonly ProxyOptions _options = new();
    private readonly ManualTimeProvider _time = new();
    private readonly RecordingLogger<ConnectionLimits> _logger = new();
    private readonly TestMetrics _metrics = new();
    private readonly ConnectionLimits _limits;

    public ConnectionLimitsTests() =>
        _limits = new ConnectionLimits(new FixedOptionsMonitor(_options), _metrics.Metrics, _time, _logger);

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void Defaults_ExchangeValues()
    {
        var options = new ImapOptions();

        Assert.Equal((2000, 20, 16), (options.MaxConnections, options.MaxConnectionFromSingleIP, options.MaxConnectionsPerUser));
    }

    [Fact]
    public void TryOpenConnection_PastMaxConnections_RefusedUntilOneCloses()
    {
        _options.Imap.MaxConnections = 3;
        var open = Enumerable.Range(0, 3).Select(i => Open(MailProtocol.Imap, new IPEndPoint(IPAddress.Parse($"192.0.2.{i + 1}"), 1))).ToList();

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, ClientA, out var refusal));
        Assert.Equal(ConnectionRefusal.MaxConnections, refusal);

        open[0].Dispose();
        using var again = Open(MailProtocol.Imap, ClientA);
        Assert.Equal(3, _limits.OpenConnections(MailProtocol.Imap));
    }

    [Fact]
    public void TryOpenConnection_PastMaxConnectionFromSingleIP_RefusedForThatAddressOnly()
    {
        _options.Pop3.MaxConnectionFromSingleIP = 2;
        using var first = Open(MailProtocol.Pop3, ClientA);
        using var second = Open(MailProtocol.Pop3, new IPEndPoint(ClientA.Address, 40001));

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Pop3, ClientA, out var refusal));
        Assert.Equal(ConnectionRefusal.MaxConnectionFromSingleIP, refusal);

        using var other = Open(MailProtocol.Pop3, ClientB);
        // The refused connection gave its place under MaxConnections back.
        Assert.Equal(3, _limits.OpenConnections(MailProtocol.Pop3));
        Assert.Equal(2, _limits.OpenConnectionsFrom(MailProtocol.Pop3, ClientA.Address));
    }

    [Fact]
    public void TryOpenConnection_ProtocolsCountedApart()
    {
        _options.Imap.MaxConnectionFromSingleIP = 1;
        using var imap = Open(MailProtocol.Imap, ClientA);

        using var pop3 = Open(MailProtocol.Pop3, ClientA);

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, ClientA, out _));
    }

    [Fact]
    public void TryOpenConnection_IPv4MappedAndPlainIPv4_OneAddress()
    {
        _options.Imap.MaxConnectionFromSingleIP = 1;
        using var plain = Open(MailProtocol.Imap, ClientA);

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, new IPEndPoint(ClientA.Address.MapToIPv6(), 1), out _));
    }

    [Fact]
    public void TryOpenConnection_IPv6SameSlash64_OneAddress()
    {
        _options.Imap.MaxConnectionFromSingleIP = 1;
        using var first = Open(MailProtocol.Imap, new IPEndPoint(IPAddress.Parse("2001:db8:5:6::1"), 1));

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, new IPEndPoint(IPAddress.Parse("2001:db8:5:6:abcd::9"), 1), out _));
        using var otherPrefix = Open(MailProtocol.Imap, new IPEndPoint(IPAddress.Parse("2001:db8:5:7::1"), 1));
    }

    [Fact]
    public void TryOpenConnection_NoIPEndPoint_OnlyMaxConnectionsApplies()
    {
        _options.Imap.MaxConnectionFromSingleIP = 1;
        using var first = Open(MailProtocol.Imap, null);
        using var second = Open(MailProtocol.Imap, null);

        Assert.Equal(2, _limits.OpenConnections(MailProtocol.Imap));
    }

    [Fact]
    public void Lease_DisposedTwice_ReleasedOnce()
    {
        var first = Open(MailProtocol.Imap, ClientA);
        using var second = Open(MailProtocol.Imap, ClientA);

        first.Dispose();
        first.Dispose();

        Assert.Equal(1, _limits.OpenConnections(MailProtocol.Imap));
        Assert.Equal(1, _limits.OpenConnectionsFrom(MailProtocol.Imap, ClientA.Address));
    }

    [Fact]
    public void TryOpenConnection_LimitLowered_AppliesToTheNextConnection()
    {
        using var first = Open(MailProtocol.Imap, ClientA);
        using var second = Open(MailProtocol.Imap, ClientB);

        _options.Imap.MaxConnections = 2;

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, ClientA, out _));
    }

    [Fact]
    public void TryOpenConnection_RefusalFlood_OneWarningPerIntervalWithTheCountOfTheRest()
    {
        _options.Imap.MaxConnectionFromSingleIP = 1;
        using var first = Open(MailProtocol.Imap, ClientA);
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, ClientA, out _));
        }

        var warning = Assert.Single(_logger.Entries);
        Assert.Equal((1103, LogLevel.Warning), (warning.EventId.Id, warning.Level));
        Assert.Equal("IMAP4: A connection from 192.0.2.10:40000 was refused: that address already has the maximum of 1 connections set by MaxConnectionFromSingleIP. Refused since the last report: 0 more.", warning.Message);

        _time.Advance(ConnectionLimits.ReportInterval);
        Assert.Null(_limits.TryOpenConnection(MailProtocol.Imap, ClientA, out _));

        Assert.Equal(2, _logger.Entries.Count);
        Assert.EndsWith("Refused since the last report: 4 more.", _logger.Entries.Last().Message);
        Assert.Equal(6, _metrics.Sum("proxy.connections.refused", ("protocol", "imap"), ("reason", "max_connections_per_ip")));
    }

    [Fact]
    public void TryOpenConnection_MaxConnectionsRefusal_Event1101AndCounted()
    {
        _options.Pop3.MaxConnections = 1;
        using var first = Open(MailProtocol.Pop3, ClientA);

        Assert.Null(_limits.TryOpenConnection(MailProtocol.Pop3, ClientB, out _));

        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(1101, warning.EventId.Id);
        Assert.StartsWith("POP3: A connection from 192.0.2.11:40000 was refused: the server already has the maximum of 1 connections set by MaxConnections.", warning.Message);
        Assert.Equal(1, _metrics.Sum("proxy.connections.refused", ("protocol", "pop3"), ("reason", "max_connections")));
    }

    [Fact]
    public void TryOpenUserSession_PastMaxConnectionsPerUser_RefusedWithEvent1009CaseInsensitive()
    {
        _options.Imap.MaxConnectionsPerUser = 2;
        using var first = _limits.TryOpenUserSession(MailProtocol.Imap, "alice@contoso.lab", "192.0.2.10:1");
        using var second = _limits.TryOpenUserSession(MailProtocol.Imap, "ALICE@contoso.lab", "192.0.2.10:2");
        Assert.NotNull(first);
        Assert.NotNull(second);

        Assert.Null(_limits.TryOpenUserSession(MailProtocol.Imap, "Alice@Contoso.Lab", "192.0.2.10:3"));

        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((1009, LogLevel.Warning), (entry.EventId.Id, entry.Level));
        Assert.Equal("IMAP4: Number of simultaneous connections made by user Alice@Contoso.Lab exceeded maximum (2) set by MaxConnectionsPerUser; the login was refused. Client: 192.0.2.10:3.", entry.Message);
        Assert.Equal(1, _metrics.Sum("proxy.connections.refused", ("protocol", "imap"), ("reason", "max_connections_per_user")));
        Assert.NotNull(_limits.TryOpenUserSession(MailProtocol.Imap, "bob@contoso.lab", null));
        Assert.NotNull(_limits.TryOpenUserSession(MailProtocol.Pop3, "alice@contoso.lab", null));
    }

    [Fact]
    public void TryOpenUserSession_SessionEnds_PlaceGivenBack()
    {
        _options.Pop3.MaxConnectionsPerUser = 1;
        var first = _limits.TryOpenUserSession(MailProtocol.Pop3, "alice@contoso.lab", null)!;

        first.Dispose();

        using var second = _limits.TryOpenUserSession(MailProtocol.Pop3, "alice@contoso.lab", null);
        Assert.NotNull(second);
        Assert.Equal(1, _limits.OpenSessionsOf(MailProtocol.Pop3, "alice@contoso.lab"));
    }

    [Fact]
    public async Task TryOpenConnection_RacingThreads_NeverOverTheLimitAndAllReleased()
    {
        const int Limit = 5;
        _options.Imap.MaxConnections = 1000;
        _options.Imap.MaxConnectionFromSingleIP = Limit;
        var inside = 0;
        var highest = 0;
        var admitted = 0;

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var lease = _limits.TryOpenConnection(MailProtocol.Imap, ClientA, out _);
                if (lease is null)
                {
                    continue;
                }

                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref highest, now);
                Interlocked.Increment(ref admitted);
                Interlocked.Decrement(ref inside);
                lease.Dispose();
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.InRange(highest, 1, Limit);
        Assert.True(admitted > 0);
        Assert.Equal(0, _limits.OpenConnections(MailProtocol.Imap));
        Assert.Equal(0, _limits.OpenConnectionsFrom(MailProtocol.Imap, ClientA.Address));
    }

    [Fact]
    public void ConcurrencySlots_LastExit_KeyRemoved()
    {
        var slots = new ConcurrencySlots<string>();
        var a = slots.TryEnter("k", 2)!;
        var b = slots.TryEnter("k", 2)!;
        Assert.Null(slots.TryEnter("k", 2));

        slots.Exit("k", a);
        Assert.Equal(1, slots.KeyCount);
        slots.Exit("k", b);

        Assert.Equal(0, slots.KeyCount);
        Assert.NotNull(slots.TryEnter("k", 1));
    }

    private ConnectionLease Open(MailProtocol protocol, EndPoint? client)
    {
        var lease = _limits.TryOpenConnection(protocol, client, out var refusal);
        Assert.True(lease is not null, $"refused: {refusal}");
        return lease;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class FixedOptionsMonitor(ProxyOptions options) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue => options;

        public ProxyOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }
}
