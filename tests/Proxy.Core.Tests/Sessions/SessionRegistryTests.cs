using System.IO.Pipelines;
using System.Net;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Drain;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Relay;
using Proxy.Core.Sessions;
using Proxy.Core.Tests.Backends.Fakes;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Sessions;

public sealed class SessionRegistryTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly ListLogger<SessionRegistry> _log = new();

    [Fact]
    public void Register_ThenDispose_ListsTheSessionOnlyWhileItLives()
    {
        using var registry = NewRegistry();

        var session = registry.Register("c1", MailProtocol.Imap, new IPEndPoint(IPAddress.Loopback, 50000), null);
        var listed = Assert.Single(registry.Sessions);
        Assert.Same(session, listed);
        Assert.Equal(SessionState.PreAuth, listed.State);
        Assert.Equal(_clock.GetUtcNow(), listed.StartedAt);

        session.Dispose();
        Assert.Empty(registry.Sessions);
    }

    [Fact]
    public void Relaying_RecordsUserAndBackend()
    {
        using var registry = NewRegistry();
        using var session = registry.Register("c1", MailProtocol.Imap, null, null);

        session.LoggingIn();
        Assert.Equal(SessionState.LoggingIn, session.State);
        session.Relaying("carol@contoso.lab", Backend("HQ-CAS2007A", BackendMethod.Ssl), new RelayProgress());

        Assert.Equal(SessionState.Relaying, session.State);
        Assert.Equal("carol@contoso.lab", session.User);
        Assert.Equal("HQ-CAS2007A", session.Server!.Name);
        Assert.Equal(BackendMethod.Ssl, session.Endpoint!.Method);
    }

    [Fact]
    public void Kick_ClosesEveryRelayingSessionOfTheUserOnly()
    {
        using var registry = NewRegistry();
        using var carol1 = Relaying(registry, "c1", MailProtocol.Imap, "carol@contoso.lab", "A");
        using var carol2 = Relaying(registry, "c2", MailProtocol.Imap, "Carol@Contoso.Lab", "B");
        using var dave = Relaying(registry, "c3", MailProtocol.Imap, "dave@contoso.lab", "A");
        using var preAuth = registry.Register("c4", MailProtocol.Imap, null, null);

        var kicked = registry.Kick("CAROL@contoso.lab");

        Assert.Equal(2, kicked);
        Assert.True(carol1.Closing.IsCancellationRequested);
        Assert.True(carol2.Closing.IsCancellationRequested);
        Assert.Equal(SessionCloseReason.Kicked, carol1.CloseReason);
        Assert.False(dave.Closing.IsCancellationRequested);
        Assert.False(preAuth.Closing.IsCancellationRequested);
        Assert.Single(_log.WithEvent("UserKicked"));
    }

    [Fact]
    public void Kick_ImapSessionNeverReachingABoundary_IsAbortedAfterTheGrace()
    {
        using var registry = NewRegistry();
        using var session = Relaying(registry, "c1", MailProtocol.Imap, "carol@contoso.lab", "A");

        registry.Kick("carol@contoso.lab");
        Assert.True(session.Closing.IsCancellationRequested);
        Assert.False(session.Aborted.IsCancellationRequested);

        _clock.Advance(SessionRegistry.CloseGrace - TimeSpan.FromMilliseconds(1));
        Assert.False(session.Aborted.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(session.Aborted.IsCancellationRequested);
    }

    [Fact]
    public void Kick_Pop3SessionRelaying_IsAbortedAtOnce()
    {
        // POP3 cannot be told goodbye mid-session: waiting for a boundary would only delay the close.
        using var registry = NewRegistry();
        using var session = Relaying(registry, "c1", MailProtocol.Pop3, "carol@contoso.lab", "A");

        registry.Kick("carol@contoso.lab");

        Assert.True(session.Aborted.IsCancellationRequested);
    }

    [Fact]
    public void CloseOnBackend_WholeServerOrOneEndpoint_ClosesOnlyTheSessionsThere()
    {
        using var registry = NewRegistry();
        using var imapSsl = Relaying(registry, "c1", MailProtocol.Imap, "u1@contoso.lab", "A", BackendMethod.Ssl);
        using var imapStartTls = Relaying(registry, "c2", MailProtocol.Imap, "u2@contoso.lab", "A", BackendMethod.StartTls);
        using var pop3Ssl = Relaying(registry, "c3", MailProtocol.Pop3, "u3@contoso.lab", "A", BackendMethod.Ssl);
        using var elsewhere = Relaying(registry, "c4", MailProtocol.Imap, "u4@contoso.lab", "B", BackendMethod.Ssl);

        Assert.Equal(3, registry.CountOnBackend("a"));
        Assert.Equal(1, registry.CloseOnBackend("A", new EndpointKey(MailProtocol.Imap, BackendMethod.Ssl)));
        Assert.True(imapSsl.Closing.IsCancellationRequested);
        Assert.False(imapStartTls.Closing.IsCancellationRequested);
        Assert.False(pop3Ssl.Closing.IsCancellationRequested);

        Assert.Equal(3, registry.CloseOnBackend("a", null));
        Assert.True(imapStartTls.Closing.IsCancellationRequested);
        Assert.True(pop3Ssl.Closing.IsCancellationRequested);
        Assert.Equal(SessionCloseReason.Drained, pop3Ssl.CloseReason);
        Assert.False(elsewhere.Closing.IsCancellationRequested);
    }

    [Fact]
    public void Close_ById_ClosesThatSessionAndReportsUnknownIds()
    {
        using var registry = NewRegistry();
        using var session = registry.Register("c1", MailProtocol.Pop3, null, null);

        Assert.True(registry.Close("c1"));
        Assert.False(registry.Close("nope"));
        Assert.Equal(SessionCloseReason.Closed, session.CloseReason);
        Assert.True(session.Closing.IsCancellationRequested);
    }

    [Fact]
    public void RequestClose_Twice_FirstReasonWins()
    {
        using var registry = NewRegistry();
        using var session = Relaying(registry, "c1", MailProtocol.Imap, "carol@contoso.lab", "A");

        registry.Kick("carol@contoso.lab");
        registry.BeginShutdown(TimeSpan.FromSeconds(30));

        Assert.Equal(SessionCloseReason.Kicked, session.CloseReason);
    }

    [Fact]
    public void BeginShutdown_AsksEverySessionToSayGoodbye_AbortsTheRestAtTheDeadline()
    {
        using var registry = NewRegistry();
        using var preAuth = registry.Register("c1", MailProtocol.Imap, null, null);
        using var pop3 = Relaying(registry, "c2", MailProtocol.Pop3, "carol@contoso.lab", "A");

        registry.BeginShutdown(TimeSpan.FromSeconds(30));

        Assert.True(registry.IsShuttingDown);
        Assert.True(preAuth.Closing.IsCancellationRequested);
        Assert.Equal(SessionCloseReason.Shutdown, preAuth.CloseReason);
        // A POP3 transfer may finish within the drain time: asked, not cut off.
        Assert.True(pop3.Closing.IsCancellationRequested);
        Assert.False(pop3.Aborted.IsCancellationRequested);
        Assert.Single(_log.WithEvent("ShutdownDrainStarted"));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(pop3.Aborted.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(pop3.Aborted.IsCancellationRequested);
        Assert.True(preAuth.Aborted.IsCancellationRequested);
        Assert.Contains("2 session(s) still open", Assert.Single(_log.WithEvent("ShutdownDrainTimedOut")).Message);
    }

    [Fact]
    public void BeginShutdown_LastSessionEnds_LogsTheDrainComplete()
    {
        using var registry = NewRegistry();
        var session = registry.Register("c1", MailProtocol.Imap, null, null);
        registry.BeginShutdown(TimeSpan.FromSeconds(30));
        Assert.Empty(_log.WithEvent("ShutdownDrainCompleted"));

        session.Dispose();

        Assert.Single(_log.WithEvent("ShutdownDrainCompleted"));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(_log.WithEvent("ShutdownDrainTimedOut"));
    }

    [Fact]
    public void Register_DuringShutdown_IsToldGoodbyeAtOnce_AfterTheDeadlineAbortedToo()
    {
        using var registry = NewRegistry();
        registry.BeginShutdown(TimeSpan.FromSeconds(10));

        using var early = registry.Register("c1", MailProtocol.Imap, null, null);
        Assert.True(early.Closing.IsCancellationRequested);
        Assert.False(early.Aborted.IsCancellationRequested);

        _clock.Advance(TimeSpan.FromSeconds(10));
        using var late = registry.Register("c2", MailProtocol.Imap, null, null);
        Assert.True(late.Aborted.IsCancellationRequested);
    }

    [Fact]
    public void RequestClose_AfterTheSessionEnded_DoesNothing()
    {
        using var registry = NewRegistry();
        var session = Relaying(registry, "c1", MailProtocol.Imap, "carol@contoso.lab", "A");
        session.Dispose();

        Assert.Equal(0, registry.Kick("carol@contoso.lab"));
        Assert.False(session.RequestClose(SessionCloseReason.Closed, TimeSpan.Zero, _clock));
    }

    private SessionRegistry NewRegistry() => new(_clock, _log);

    private static LiveSession Relaying(SessionRegistry registry, string id, MailProtocol protocol, string user, string server, BackendMethod method = BackendMethod.Ssl)
    {
        var session = registry.Register(id, protocol, null, null);
        session.Relaying(user, Backend(server, method), new RelayProgress());
        return session;
    }

    private static BackendSession Backend(string server, BackendMethod method)
    {
        var endpoint = new BackendEndpoint("127.0.0.1", method == BackendMethod.Ssl ? 993 : 143, method);
        var backendServer = new BackendServer(server, "127.0.0.1", "HQ", ServerVersion.Exchange2007, false, true,
            new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>> { [MailProtocol.Imap] = [endpoint] }, new BackendTlsOptions());
        return new BackendSession(backendServer, endpoint, Stream.Null, PipeReader.Create(Stream.Null), PipeWriter.Create(Stream.Null), "OK");
    }
}
