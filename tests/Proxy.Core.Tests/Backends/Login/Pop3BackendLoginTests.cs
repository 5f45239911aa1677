using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Fakes.ConnectorHarness;

namespace Proxy.Core.Tests.Backends.Login;

/// <summary>The POP3 backend login, driven through the connector against scripted backends.</summary>
public sealed class Pop3BackendLoginTests
{
    private const string ExchangeGreeting = "+OK The Microsoft Exchange POP3 service is ready.";
    private static readonly TestCertificates Certificates = TestCertificates.Shared;
    private static readonly string AlicePlain = Convert.ToBase64String("\0alice@contoso.lab\0Passw0rd!"u8.ToArray());

    [Fact]
    public async Task Login_DovecotOffersSaslPlain_AuthPlainWithInitialResponse()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { AfterLogin = "+OK 3 messages\r\n" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session!;
        Assert.Equal($"CAPA\r\nAUTH PLAIN {AlicePlain}\r\n", backend.Clients[0].Received);
        Assert.Equal("+OK Logged in.", session.LoginResponse);
        Assert.Equal("+OK 3 messages\r\n", await SessionReader.ReadAsync(session, 16));
    }

    [Fact]
    public async Task Login_Exchange2007WithoutSaslPlain_UserPass()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script
        {
            Greeting = ExchangeGreeting,
            Capabilities = ["TOP", "UIDL", "SASL NTLM GSSAPI", "USER", "STLS"],
            LoginReply = "+OK User successfully logged on.",
        };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("HQ-CAS2007A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(["USER alice@contoso.lab", "PASS Passw0rd!"], script.LoginCommands);
        Assert.Equal("+OK User successfully logged on.", session!.LoginResponse);
    }

    [Fact]
    public async Task Login_PasswordWithSpacesAndQuotes_SentVerbatimInPass()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = null };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(new BackendCredentials("erin@contoso.lab", "a \"b\" \\c d"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Equal(["USER erin@contoso.lab", "PASS a \"b\" \\c d"], script.LoginCommands);
    }

    [Fact]
    public async Task Login_Exchange2010Stls_UpgradesAndAsksCapaAgain()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script
        {
            Greeting = ExchangeGreeting,
            Capabilities = ["TOP", "UIDL", "SASL NTLM GSSAPI PLAIN", "USER", "STLS"],
            StartTlsCertificate = Certificates.Server,
        };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(TrustingServer("HQ-CAS2010"), backend, BackendMethod.StartTls));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.True(backend.Clients[0].IsTls);
        Assert.Equal($"CAPA\r\nSTLS\r\nCAPA\r\nAUTH PLAIN {AlicePlain}\r\n", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Login_StlsNotOffered_NoStartTls()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = ["TOP", "UIDL", "USER"] };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_NoCapa_NoStartTls()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = null };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
    }

    [Fact]
    public async Task Login_StlsRefused_NoStartTls()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script();
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_BytesAfterStlsOk_Protocol()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("+OK ready\r\n");
            await client.ReadLineAsync();
            await client.SendAsync("+OK\r\nSTLS\r\n.\r\n");
            await client.ReadLineAsync();
            await client.SendAsync("+OK Begin TLS\r\n+OK injected\r\n");
            await client.ReadToEndAsync();
        });

        var result = await harness.Pop3Async(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
        await backend.WhenScriptsDoneAsync();
        Assert.Equal("CAPA\r\nSTLS\r\n", backend.Clients[0].Received);
    }

    [Theory]
    [InlineData("-ERR [SYS/TEMP] Temporary authentication failure", BackendFailureKind.AuthTempFail)]
    [InlineData("-ERR [IN-USE] Mailbox locked by another session", BackendFailureKind.AuthTempFail)]
    [InlineData("-ERR [AUTH] Authentication failed.", BackendFailureKind.AuthRejected)]
    [InlineData("-ERR [SYS/PERM] Mailbox disabled", BackendFailureKind.AuthRejected)]
    [InlineData("-ERR Logon failure: unknown user name or bad password.", BackendFailureKind.AuthRejected)]
    [InlineData("-ERR", BackendFailureKind.AuthRejected)]
    [InlineData("+ ", BackendFailureKind.Protocol)]
    [InlineData("* OK what", BackendFailureKind.Protocol)]
    public async Task Login_AuthPlainAnswer_KindByResponse(string reply, BackendFailureKind expected)
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakePop3Script { LoginReply = reply }.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(expected, result.Failure);
    }

    [Fact]
    public async Task Login_UserRefused_AuthRejectedWithoutPass()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = null, UserReply = "-ERR Unknown user" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        Assert.Equal(["USER alice@contoso.lab"], script.LoginCommands);
    }

    [Theory]
    [InlineData("pass\r\nDELE 1")]
    [InlineData("pass\nword")]
    [InlineData("pass\0word")]
    public async Task Login_PasswordThatWouldBreakPass_RejectedWithoutSending(string password)
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = ["USER"] };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(new BackendCredentials("alice", password), Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Theory]
    [InlineData("alice\r\nDELE 1")]
    [InlineData("alice\nQUIT")]
    [InlineData("alice\0")]
    public async Task Login_UserNameThatWouldBreakUser_RejectedWithoutSending(string userName)
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Capabilities = ["USER"] };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(new BackendCredentials(userName, "Passw0rd!"), Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Login_PasswordWithLineBreakAndSaslPlain_SentInsideBase64()
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script();
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(new BackendCredentials("alice", "pass\r\nword"), Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Equal([$"AUTH PLAIN {Convert.ToBase64String("\0alice\0pass\r\nword"u8.ToArray())}"], script.LoginCommands);
    }

    [Theory]
    [InlineData("-ERR Server busy")]
    [InlineData("* OK The Microsoft Exchange IMAP4 service is ready.")]
    [InlineData("+OKAY")]
    public async Task Login_GreetingNotOk_BadGreeting(string greeting)
    {
        var harness = new ConnectorHarness();
        var script = new FakePop3Script { Greeting = greeting };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.Pop3Async(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.BadGreeting, result.Failure);
        Assert.Empty(script.LoginCommands);
    }
}
