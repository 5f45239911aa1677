using System.Text;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Fakes.ConnectorHarness;

namespace Proxy.Core.Tests.Backends.Login;

/// <summary>The IMAP backend login, driven through the connector against scripted backends.</summary>
public sealed class ImapBackendLoginTests
{
    private const string Exchange2013Greeting = "* OK The Microsoft Exchange IMAP4 service is ready. [TQBCAFgALQBNAEIAWAAyADAAMQAzAA==]";
    private const string Exchange2013Capabilities = "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=NTLM AUTH=GSSAPI UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+";
    private const string Exchange2010Capabilities = "IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI IDLE NAMESPACE LITERAL+";
    private static readonly TestCertificates Certificates = TestCertificates.Shared;
    private static readonly string AlicePlain = Convert.ToBase64String("\0alice@contoso.lab\0Passw0rd!"u8.ToArray());

    [Fact]
    public async Task Login_DovecotWithSaslIr_AuthenticatePlainWithInitialResponse()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript();
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal($"P1 AUTHENTICATE PLAIN {AlicePlain}\r\n", backend.Clients[0].Received);
        Assert.Equal($"OK [CAPABILITY {FakeImapScript.DovecotPostLogin}] Logged in", session!.LoginResponse);
    }

    [Fact]
    public async Task Login_Exchange2013WithoutSaslIr_WaitsForContinuationAndAddsCapability()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript
        {
            Greeting = Exchange2013Greeting,
            Capabilities = Exchange2013Capabilities,
            LoginReply = "OK AUTHENTICATE completed.",
            PostLoginCapabilities = Exchange2013Capabilities,
        };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("HQ-MBX2013"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(
            $"P1 CAPABILITY\r\nP2 AUTHENTICATE PLAIN\r\n{AlicePlain}\r\nP3 CAPABILITY\r\n",
            backend.Clients[0].Received);
        Assert.Equal($"OK [CAPABILITY {Exchange2013Capabilities}] AUTHENTICATE completed.", session!.LoginResponse);
    }

    [Fact]
    public async Task Login_UntaggedCapabilityDuringLogin_UsedWithoutAsking()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { BeforeLoginReply = "* CAPABILITY IMAP4rev1 IDLE MOVE\r\n", LoginReply = "OK Logged in" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal("OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in", session!.LoginResponse);
        Assert.DoesNotContain("P2 CAPABILITY", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Login_Exchange2010WithoutAuthPlain_LoginWithAtoms()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript
        {
            Greeting = "* OK The Microsoft Exchange IMAP4 service is ready.",
            Capabilities = Exchange2010Capabilities,
            LoginReply = "OK LOGIN completed.",
        };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("HQ-CAS2010"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal("P1 CAPABILITY\r\nP2 LOGIN alice@contoso.lab Passw0rd!\r\nP3 CAPABILITY\r\n", backend.Clients[0].Received);
        Assert.Equal($"OK [CAPABILITY {FakeImapScript.DovecotPostLogin}] LOGIN completed.", session!.LoginResponse);
    }

    [Fact]
    public async Task Login_PasswordWithQuotesAndBackslash_SentAsEscapedQuotedString()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { Greeting = "* OK [CAPABILITY IMAP4rev1] ready", LoginReply = "OK [CAPABILITY IMAP4rev1] Logged in" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(new BackendCredentials("erin@contoso.lab", "a \"b\" \\c d"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Equal("P1 LOGIN erin@contoso.lab \"a \\\"b\\\" \\\\c d\"\r\n", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Login_PasswordWithLineBreakWithoutLiteralPlus_WaitsForContinuation()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("* OK [CAPABILITY IMAP4rev1] ready\r\n");
            var (tag, _) = await client.ReadCommandAsync();
            await client.SendAsync("+ Ready for literal data\r\n");
            await client.ReadExactAsync(10);
            await client.ReadLineAsync();
            await client.SendAsync($"{tag} OK [CAPABILITY IMAP4rev1] Logged in\r\n");
            await client.ReadToEndAsync();
        });

        var result = await harness.ImapAsync(new BackendCredentials("alice", "pass\r\nword"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Equal("P1 LOGIN alice {10}\r\npass\r\nword\r\n"u8.ToArray(), backend.Clients[0].ReceivedBytes);
    }

    [Fact]
    public async Task Login_LiteralRefusedInsteadOfContinuation_LiteralNeverSent()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("* OK [CAPABILITY IMAP4rev1] ready\r\n");
            var (tag, _) = await client.ReadCommandAsync();
            await client.SendAsync($"{tag} NO [AUTHENTICATIONFAILED] Literal refused\r\n");
            await client.ReadToEndAsync();
        });

        var result = await harness.ImapAsync(new BackendCredentials("alice", "pass\nword"), Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        await backend.WhenScriptsDoneAsync();
        Assert.Equal("P1 LOGIN alice {9}\r\n", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Login_EightBitPasswordWithLiteralPlus_SentAsNonSynchronizingLiteral()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { Greeting = "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready", LoginReply = "OK [CAPABILITY IMAP4rev1] Logged in" };
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync($"{script.Greeting}\r\n");
            var (tag, _) = await client.ReadCommandAsync();
            await client.ReadExactAsync(10);
            await client.ReadLineAsync();
            await client.SendAsync($"{tag} {script.LoginReply}\r\n");
            await client.ReadToEndAsync();
        });

        var result = await harness.ImapAsync(new BackendCredentials("alice", "pässwörd"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Equal([.. "P1 LOGIN alice {10+}\r\n"u8, .. Encoding.UTF8.GetBytes("pässwörd"), .. "\r\n"u8], backend.Clients[0].ReceivedBytes);
    }

    [Fact]
    public async Task Login_PasswordWithNul_RejectedWithoutSending()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript();
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(new BackendCredentials("alice", "pass\0word"), Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_StartTls_CapabilitiesAskedAgainOverTls()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript
        {
            Greeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ STARTTLS LOGINDISABLED] Dovecot (Debian) ready.",
            TlsCapabilities = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN",
            StartTlsCertificate = Certificates.Server,
        };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.StartTls));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.True(backend.Clients[0].IsTls);
        Assert.Equal($"P1 STARTTLS\r\nP2 CAPABILITY\r\nP3 AUTHENTICATE PLAIN {AlicePlain}\r\n", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Login_Exchange2007StartTls_AsksCapabilityBeforeAndAfter()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript
        {
            Greeting = "* OK Microsoft Exchange Server 2007 IMAP4 service ready",
            Capabilities = "IMAP4 IMAP4rev1 LOGINDISABLED STARTTLS IDLE NAMESPACE LITERAL+",
            TlsCapabilities = "IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI AUTH=PLAIN IDLE NAMESPACE LITERAL+",
            PostLoginCapabilities = "IMAP4 IMAP4rev1 IDLE NAMESPACE LITERAL+",
            LoginReply = "OK AUTHENTICATE completed.",
            StartTlsCertificate = Certificates.Server,
        };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("HQ-CAS2007A"), backend, BackendMethod.StartTls));

        await using var session = result.Session;
        Assert.Equal(
            $"P1 CAPABILITY\r\nP2 STARTTLS\r\nP3 CAPABILITY\r\nP4 AUTHENTICATE PLAIN\r\n{AlicePlain}\r\nP5 CAPABILITY\r\n",
            backend.Clients[0].Received);
        Assert.Equal("OK [CAPABILITY IMAP4 IMAP4rev1 IDLE NAMESPACE LITERAL+] AUTHENTICATE completed.", session!.LoginResponse);
    }

    [Fact]
    public async Task Login_StartTlsAdvertisedButRefused_NoStartTls()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript();
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_BytesAfterStartTlsOk_ProtocolAndNoHandshake()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n");
            var (tag, _) = await client.ReadCommandAsync();
            await client.SendAsync($"{tag} OK Begin TLS negotiation now.\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
            await client.ReadToEndAsync();
        });

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("after accepting STARTTLS"));
        await backend.WhenScriptsDoneAsync();
        Assert.Equal("P1 STARTTLS\r\n", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Login_LoginDisabledInPlaintext_NoStartTlsWithoutCredentials()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { Greeting = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_LoginDisabledOverTls_Protocol()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { Greeting = "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready" };
        await using var backend = FakeBackend.Start(script.RunAsync, Certificates.Server);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.Ssl));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Theory]
    [InlineData("* BYE Too many connections")]
    [InlineData("* PREAUTH [CAPABILITY IMAP4rev1] Logged in as root")]
    [InlineData("+OK The Microsoft Exchange POP3 service is ready.")]
    [InlineData("HTTP/1.1 400 Bad Request")]
    [InlineData("")]
    [InlineData("* OKAY")]
    public async Task Login_GreetingNotOk_BadGreeting(string greeting)
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { Greeting = greeting };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.BadGreeting, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_ClosedBeforeGreeting_BadGreeting()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(_ => Task.CompletedTask);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.BadGreeting, result.Failure);
    }

    [Fact]
    public async Task Login_GreetingLongerThanLimit_Protocol()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("* OK " + new string('x', 70 * 1024) + "\r\n");
            await client.ReadToEndAsync();
        });

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
    }

    [Theory]
    [InlineData("NO [UNAVAILABLE] Temporary authentication failure.", BackendFailureKind.AuthTempFail)]
    [InlineData("NO [INUSE] Mailbox in use", BackendFailureKind.AuthTempFail)]
    [InlineData("NO [SERVERBUG] Internal error occurred.", BackendFailureKind.AuthTempFail)]
    [InlineData("NO [LIMIT] Too many connections", BackendFailureKind.AuthTempFail)]
    [InlineData("no [unavailable] lower case", BackendFailureKind.AuthTempFail)]
    [InlineData("NO [AUTHENTICATIONFAILED] Authentication failed.", BackendFailureKind.AuthRejected)]
    [InlineData("NO LOGIN failed.", BackendFailureKind.AuthRejected)]
    [InlineData("NO", BackendFailureKind.AuthRejected)]
    [InlineData("BAD Command Argument Error. 11", BackendFailureKind.Protocol)]
    [InlineData("MAYBE later", BackendFailureKind.Protocol)]
    public async Task Login_TaggedRefusal_KindByResponse(string reply, BackendFailureKind expected)
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript { LoginReply = reply }.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(expected, result.Failure);
    }

    [Fact]
    public async Task Login_UnexpectedContinuationAfterResponse_Protocol()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript { LoginReply = "OK x\r\n", BeforeLoginReply = "+ again\r\n" }.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
    }

    [Fact]
    public async Task Login_UntaggedNoiseBeforeTaggedOk_Skipped()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { BeforeLoginReply = "* OK [ALERT] Password expires soon\r\n* NO something\r\n" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
    }

    [Fact]
    public async Task Login_ClosedAfterLoginCommand_Protocol()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n");
            await client.ReadLineAsync();
        });

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
    }
}
