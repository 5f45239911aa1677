using System.Text;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;
using static Proxy.IntegrationTests.BackendHygiene.BackendHygieneFixture;

namespace Proxy.IntegrationTests.BackendHygiene;

/// <summary>
/// Credentials built to break the backend login, against a real Dovecot that takes the IMAP
/// LOGIN command and POP3 USER/PASS: a crafted name from the client never reaches the backend,
/// a crafted password reaches it exactly as typed, and a rejected one costs exactly one login
/// attempt there, with a clean failure for the client.
/// </summary>
[Collection(BackendHygieneCollection.Name)]
public sealed class CraftedCredentialTests(BackendHygieneFixture fixture)
{
    private const int InvalidCredentials = 3201;
    private const int CredentialsRefused = 3111;
    private const string AuthenticationFailed = "NO [AUTHENTICATIONFAILED] Authentication failed.";

    [Fact]
    public async Task ImapLogin_CraftedUserNamesFromTheClient_CleanFailuresAndOnlyTheRealLoginReachesDovecot()
    {
        await using var proxy = await fixture.StartProxyAsync(hidePlain: true);
        fixture.Log.Mark();
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapPort, fixture.Pki, implicitTls: false);

        Assert.Equal($"a {AuthenticationFailed}", await client.ImapCommandAsync("a", $"LOGIN \"{Topologies.Alice}\\\" \\\"x\" \"{Topologies.Password}\""));
        var injected = $"{Topologies.Alice}\r\nz LOGOUT";
        await client.WriteAsync($"b LOGIN {{{injected.Length}+}}\r\n{injected} \"{Topologies.Password}\"\r\n");
        Assert.Equal($"b {AuthenticationFailed}", await client.ReadUntilAsync("b "));
        Assert.Equal($"c {AuthenticationFailed}", await client.ImapCommandAsync("c", $"LOGIN \"{{5}}\" \"{Topologies.Password}\""));
        Assert.DoesNotContain(client.Transcript, line => line.StartsWith("z ", StringComparison.Ordinal) || line.StartsWith("* BYE", StringComparison.Ordinal));

        Assert.StartsWith("d OK", await client.ImapCommandAsync("d", $"LOGIN {Topologies.Alice} \"{Topologies.Password}\""));

        Assert.Equal(2, proxy.Logs.WithEventId(InvalidCredentials).Count());
        Assert.Single(proxy.Logs.WithEventId(CredentialsRefused));
        Assert.Single(await fixture.Log.WaitForLinesAsync(1, "imap-login", "Login: user=<alice@contoso.lab>"));
        Assert.Single(fixture.Log.LinesSinceMark(), line => line.Contains("imap-login", StringComparison.Ordinal) && line.Contains("user=<", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, Mallory, MalloryPassword)]
    [InlineData(MailProtocolKind.Imap, Oscar, OscarPassword)]
    [InlineData(MailProtocolKind.Pop3, Mallory, MalloryPassword)]
    [InlineData(MailProtocolKind.Pop3, Oscar, OscarPassword)]
    public async Task Login_PasswordWithQuotesLiteralMarkersAndEightBit_ReachesDovecotExactly(MailProtocolKind protocol, string user, string password)
    {
        await using var proxy = await fixture.StartProxyAsync(hidePlain: true);
        fixture.Log.Mark();

        await LogInWithMailKitAsync(protocol, proxy, user, password);

        var service = protocol == MailProtocolKind.Imap ? "imap-login" : "pop3-login";
        Assert.Single(await fixture.Log.WaitForLinesAsync(1, service, $"Login: user=<{user}>"));
        AssertLoggedInWithoutSasl(protocol);
        Assert.DoesNotContain(fixture.Log.LinesSinceMark(), line => line.Contains("auth failed", StringComparison.Ordinal));
        Assert.DoesNotContain(password, proxy.Logs.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task Login_InjectionShapedPasswordDovecotRejects_CleanFailureAndExactlyOneAttemptThere(MailProtocolKind protocol)
    {
        await using var proxy = await fixture.StartProxyAsync(hidePlain: true);
        fixture.Log.Mark();
        await using var client = await RawMailClient.ConnectEncryptedAsync(protocol, proxy.PlainPort(protocol), fixture.Pki, implicitTls: false);

        string reply;
        if (protocol == MailProtocolKind.Imap)
        {
            var bytes = Encoding.UTF8.GetByteCount(TrudyDirectoryPassword);
            await client.WriteAsync($"a LOGIN {Trudy} {{{bytes}+}}\r\n{TrudyDirectoryPassword}\r\n");
            reply = await client.ReadUntilAsync("a ");
            Assert.Equal($"a {AuthenticationFailed}", reply);
        }
        else
        {
            await client.WriteLineAsync($"USER {Trudy}");
            Assert.StartsWith("+OK", await client.ReadLineAsync());
            await client.WriteLineAsync($"PASS {TrudyDirectoryPassword}");
            reply = await client.ReadLineAsync();
            Assert.Equal("-ERR [AUTH] Authentication failed.", reply);
        }

        // Still a working session: the refusal was clean, not a broken connection.
        Assert.StartsWith(protocol == MailProtocolKind.Imap ? "b OK" : "+OK", protocol == MailProtocolKind.Imap
            ? await client.ImapCommandAsync("b", "NOOP")
            : await CapaAsync(client));

        var service = protocol == MailProtocolKind.Imap ? "imap-login" : "pop3-login";
        Assert.Single(await fixture.Log.WaitForLinesAsync(1, service, "auth failed, 1 attempts", $"user=<{Trudy}>"));
        Assert.DoesNotContain(fixture.Log.LinesSinceMark(), line => line.Contains("Login: user=", StringComparison.Ordinal));
        Assert.Single(BackendAttempt.All(proxy.Logs));
        AssertLoggedInWithoutSasl(protocol);
        Assert.DoesNotContain(TrudyDirectoryPassword, proxy.Logs.AllText, StringComparison.Ordinal);
    }

    /// <summary>The backend was logged in to with IMAP LOGIN / POP3 USER and PASS, the commands a crafted value could break.</summary>
    private void AssertLoggedInWithoutSasl(MailProtocolKind protocol)
    {
        var commands = protocol == MailProtocolKind.Imap ? fixture.ImapWithoutPlain.CommandsSeen : fixture.Pop3WithoutPlain.CommandsSeen;
        Assert.Contains(protocol == MailProtocolKind.Imap ? "LOGIN" : "PASS", commands);
        Assert.DoesNotContain(protocol == MailProtocolKind.Imap ? "AUTHENTICATE" : "AUTH", commands);
    }

    private static async Task<string> CapaAsync(RawMailClient client)
    {
        await client.WriteLineAsync("CAPA");
        var reply = await client.ReadLineAsync();
        await client.ReadUntilAsync(".");
        return reply;
    }

    private async Task LogInWithMailKitAsync(MailProtocolKind protocol, ProxyUnderTest proxy, string user, string password)
    {
        if (protocol == MailProtocolKind.Imap)
        {
            using var imap = new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
            await imap.ConnectAsync("127.0.0.1", proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
            await imap.AuthenticateAsync(user, password);
            Assert.True(imap.IsAuthenticated);
            await imap.DisconnectAsync(true);
        }
        else
        {
            using var pop3 = new Pop3Client { Timeout = 15_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
            await pop3.ConnectAsync("127.0.0.1", proxy.Pop3sPort, SecureSocketOptions.SslOnConnect);
            await pop3.AuthenticateAsync(user, password);
            Assert.True(pop3.IsAuthenticated);
            await pop3.DisconnectAsync(true);
        }
    }
}
