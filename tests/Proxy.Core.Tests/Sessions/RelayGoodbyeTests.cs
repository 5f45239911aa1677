using Proxy.Core.Relay;
using Proxy.Core.Sessions;
using Proxy.Protocols.Imap;

namespace Proxy.Core.Tests.Sessions;

/// <summary>When the relay ends, the client is told goodbye only where it cannot corrupt the stream.</summary>
public sealed class RelayGoodbyeTests
{
    [Fact]
    public void BackendGoneBetweenResponses_ImapClientIsToldBye()
    {
        var progress = Imap("* 1 FETCH (FLAGS (\\Seen))\r\n");

        Assert.Equal((RelayGoodbye.BackendLost, true), RelayGoodbye.Decide(RelayEnd.BackendFaulted, progress, null));
        Assert.Equal((RelayGoodbye.BackendLost, true), RelayGoodbye.Decide(RelayEnd.BackendClosed, progress, null));
    }

    [Theory]
    [InlineData("* 1 FETCH (BODY[] {100}\r\nSubject: half a message\r\n")]
    [InlineData("* 1 FETCH (FLAGS (\\Se")]
    public void BackendGoneMidResponse_ImapClientIsJustDisconnected(string forwarded)
    {
        Assert.Equal((null, true), RelayGoodbye.Decide(RelayEnd.BackendFaulted, Imap(forwarded), null));
    }

    [Fact]
    public void BackendSaidByeThenClosed_NoGoodbyeAndNotLost()
    {
        var progress = Imap("* BYE Logging out\r\na OK Logout completed.\r\n");

        Assert.Equal((null, false), RelayGoodbye.Decide(RelayEnd.BackendClosed, progress, null));
    }

    [Fact]
    public void Pop3_BackendResetOrClosed_NeverAnUnsolicitedError()
    {
        var progress = new RelayProgress();

        Assert.Equal((null, true), RelayGoodbye.Decide(RelayEnd.BackendFaulted, progress, null));
        // A POP3 backend closing after QUIT looks just like one that crashed between replies: not counted as lost.
        Assert.Equal((null, false), RelayGoodbye.Decide(RelayEnd.BackendClosed, progress, null));
        Assert.Equal((null, false), RelayGoodbye.Decide(RelayEnd.Cancelled, progress, SessionCloseReason.Shutdown));
    }

    [Theory]
    [InlineData(SessionCloseReason.Shutdown, "Server shutting down.")]
    [InlineData(SessionCloseReason.Kicked, "Session ended by the administrator; please reconnect.")]
    [InlineData(SessionCloseReason.Drained, "This server is going down for maintenance; please reconnect.")]
    public void ClosedByTheProxyAtABoundary_ImapClientIsToldWhy(SessionCloseReason reason, string expected)
    {
        Assert.Equal((expected, false), RelayGoodbye.Decide(RelayEnd.Cancelled, Imap("+ idling\r\n"), reason));
    }

    [Fact]
    public void ClosedByTheProxyMidLiteral_ImapClientIsJustDisconnected()
    {
        Assert.Equal((null, false), RelayGoodbye.Decide(RelayEnd.Cancelled, Imap("* 1 FETCH (BODY[] {9}\r\nabc"), SessionCloseReason.Shutdown));
    }

    [Fact]
    public void IdleTimeout_BothProtocolsSayWhy()
    {
        Assert.Equal((RelayGoodbye.IdleTimeout, false), RelayGoodbye.Decide(RelayEnd.IdleTimeout, new RelayProgress(), null));
        Assert.Equal((RelayGoodbye.IdleTimeout, false), RelayGoodbye.Decide(RelayEnd.IdleTimeout, Imap(""), null));
    }

    [Theory]
    [InlineData(RelayEnd.ClientClosed)]
    [InlineData(RelayEnd.Faulted)]
    public void ClientGone_NothingToSay(RelayEnd end)
    {
        Assert.Equal((null, false), RelayGoodbye.Decide(end, Imap(""), null));
    }

    private static RelayProgress Imap(string forwarded)
    {
        var scanner = new ImapResponseScanner();
        scanner.Observe(System.Text.Encoding.ASCII.GetBytes(forwarded));
        return new RelayProgress(scanner);
    }
}
