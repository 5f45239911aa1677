using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Diagnostics.Status;

public sealed partial class RecentEventBufferTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void Newest_PastCapacity_KeepsTheLastNewestFirst()
    {
        var buffer = new RecentEventBuffer(3);
        for (var i = 1; i <= 5; i++)
        {
            buffer.Add(Event(i));
        }

        Assert.Equal([5, 4, 3], buffer.Newest(50).Select(e => e.EventId));
        Assert.Equal([5, 4], buffer.Newest(2).Select(e => e.EventId));
    }

    [Fact]
    public void Newest_Empty_Nothing() => Assert.Empty(new RecentEventBuffer(100).Newest(50));

    [Fact]
    public void Logger_CrossSiteRefusal_KeptAsRefusalWithItsUserClientAndProtocol()
    {
        var (buffer, logger) = Logger("Proxy.Core.Policy.SessionPolicy");

        CrossSiteDenied(logger, "IMAP4", "bob@contoso.lab", "Branch", "CAS01", "192.0.2.7");

        var entry = Assert.Single(buffer.Newest(50));
        Assert.Equal(RecentEventKind.Refusal, entry.Kind);
        Assert.Equal(1008, entry.EventId);
        Assert.Equal("CrossSiteSessionDenied", entry.EventName);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("imap", entry.Protocol);
        Assert.Equal("bob@contoso.lab", entry.User);
        Assert.Equal("192.0.2.7", entry.Client);
        Assert.Null(entry.Server);
        Assert.Equal(_clock.GetUtcNow(), entry.At);
        Assert.Equal("IMAP4: bob@contoso.lab refused, mailbox in Branch (CAS01), client 192.0.2.7", entry.Message);
    }

    [Fact]
    public void Logger_WrongPasswordAtInformation_KeptAsRefusalClientWithoutPort()
    {
        var (buffer, logger) = Logger("Proxy.Core.Sessions.SessionOrchestrator");

        InvalidCredentials(logger, "s1", MailProtocol.Pop3, "alice@contoso.lab", "198.51.100.4:50123");

        var entry = Assert.Single(buffer.Newest(50));
        Assert.Equal(RecentEventKind.Refusal, entry.Kind);
        Assert.Equal("pop3", entry.Protocol);
        Assert.Equal("198.51.100.4", entry.Client);
    }

    [Fact]
    public void Logger_BackendUnavailableWarning_KeptAsErrorWithServer()
    {
        var (buffer, logger) = Logger("Proxy.Core.Backends.Health.BackendHealthMonitor");

        EndpointUnhealthy(logger, "MBX1", MailProtocol.Imap, "10.0.0.1:993:Ssl");

        var entry = Assert.Single(buffer.Newest(50));
        Assert.Equal(RecentEventKind.Error, entry.Kind);
        Assert.Equal("MBX1", entry.Server);
        Assert.Equal("imap", entry.Protocol);
    }

    [Fact]
    public void Logger_RoutineInformationAndOtherCategories_NotKept()
    {
        var (buffer, logger) = Logger("Proxy.Core.Sessions.SessionOrchestrator");
        var (_, kestrel) = Logger("Microsoft.AspNetCore.Server.Kestrel", buffer);

        LoginSucceeded(logger, "s1", "alice@contoso.lab");
        EndpointUnhealthy(kestrel, "MBX1", MailProtocol.Imap, "10.0.0.1:993:Ssl");

        Assert.Empty(buffer.Newest(50));
    }

    [Theory]
    [InlineData(1008, true)]
    [InlineData(1009, true)]
    [InlineData(1101, true)]
    [InlineData(1103, true)]
    [InlineData(3201, true)]
    [InlineData(3202, true)]
    [InlineData(3205, true)]
    [InlineData(3220, true)]
    [InlineData(3221, true)]
    [InlineData(3142, true)]
    [InlineData(3303, false)]
    [InlineData(3501, false)]
    [InlineData(3021, false)]
    [InlineData(3223, false)]
    public void Kinds_RefusalIdsAreRefusalsTheRestErrors(int eventId, bool refusal) =>
        Assert.Equal(refusal ? RecentEventKind.Refusal : RecentEventKind.Error, RecentEventKinds.Of(eventId));

    private RecentEvent Event(int id) =>
        new(_clock.GetUtcNow(), RecentEventKind.Error, id, null, LogLevel.Warning, null, null, null, null, $"event {id}");

    private (RecentEventBuffer Buffer, ILogger Logger) Logger(string category, RecentEventBuffer? buffer = null)
    {
        buffer ??= new RecentEventBuffer(100);
        var provider = new RecentEventLoggerProvider(buffer, _clock);
        return (buffer, provider.CreateLogger(category));
    }

    // The product's templates, reduced: the same value names and levels.
    [LoggerMessage(EventId = 1008, EventName = "CrossSiteSessionDenied", Level = LogLevel.Warning,
        Message = "{Protocol}: {User} refused, mailbox in {MailboxSite} ({ProxyServer}), client {ClientAddress}")]
    private static partial void CrossSiteDenied(ILogger logger, string protocol, string user, string mailboxSite, string proxyServer, string clientAddress);

    [LoggerMessage(EventId = 3201, EventName = "LoginFailedInvalidCredentials", Level = LogLevel.Information,
        Message = "Session {SessionId}: {Protocol} login for {User} failed from {Client}")]
    private static partial void InvalidCredentials(ILogger logger, string sessionId, MailProtocol protocol, string user, string? client);

    [LoggerMessage(EventId = 3200, EventName = "LoginSucceeded", Level = LogLevel.Information,
        Message = "Session {SessionId}: user {User} logged in")]
    private static partial void LoginSucceeded(ILogger logger, string sessionId, string user);

    [LoggerMessage(EventId = 3501, EventName = "BackendEndpointUnhealthy", Level = LogLevel.Warning,
        Message = "Backend {Server} {Protocol} endpoint {Endpoint} is unhealthy")]
    private static partial void EndpointUnhealthy(ILogger logger, string server, MailProtocol protocol, string endpoint);
}
