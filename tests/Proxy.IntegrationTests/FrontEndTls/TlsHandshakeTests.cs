using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// What a client sees of the front-end TLS with <c>openssl s_client</c>: the protocol versions
/// and cipher suites it can get, and the certificate chosen by the name it sends (SNI), on the
/// implicit-TLS listeners and after STARTTLS / STLS alike.
/// </summary>
public sealed class TlsHandshakeTests(FrontEndTlsFixture fixture) : IClassFixture<FrontEndTlsFixture>
{
    /// <summary>
    /// Debian's OpenSSL refuses TLS 1.1 itself at its default security level; level 0 lets the
    /// client offer it, so a refusal seen is the proxy's.
    /// </summary>
    private const string AnyCipherAtAnyLevel = "DEFAULT:@SECLEVEL=0";

    public static TheoryData<MailProtocolKind, bool> Listeners => new()
    {
        { MailProtocolKind.Imap, true },
        { MailProtocolKind.Imap, false },
        { MailProtocolKind.Pop3, true },
        { MailProtocolKind.Pop3, false },
    };

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task Handshake_Tls11_RefusedByProxy(MailProtocolKind protocol, bool implicitTls)
    {
        var handshake = await RunAsync(protocol, implicitTls, "-tls1_1", "-cipher", AnyCipherAtAnyLevel);

        Assert.True(handshake.ExitCode != 0 && handshake.Protocol is null, handshake.ToString());
        // The proxy's answer to the TLS 1.1 hello: a protocol_version alert (70), not the client's own policy.
        Assert.True(handshake.Output.Contains("alert protocol version", StringComparison.Ordinal), handshake.ToString());
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task Handshake_Tls12_Accepted(MailProtocolKind protocol, bool implicitTls)
    {
        var handshake = await RunAsync(protocol, implicitTls, "-tls1_2");

        Assert.True(handshake.Protocol == "TLSv1.2", handshake.ToString());
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task Handshake_Tls13_Accepted(MailProtocolKind protocol, bool implicitTls)
    {
        var handshake = await RunAsync(protocol, implicitTls, "-tls1_3");

        Assert.True(handshake.Protocol == "TLSv1.3", handshake.ToString());
    }

    /// <summary>
    /// .NET's own default list on Linux already leaves out static-RSA key exchange, SHA-1 MACs,
    /// 3DES and RC4; what it still has beyond AEAD is CBC with SHA-256/384, which the proxy drops.
    /// </summary>
    [Theory]
    [InlineData("ECDHE-RSA-AES128-SHA256")]
    [InlineData("ECDHE-RSA-AES256-SHA384")]
    public async Task Handshake_Tls12CbcCipherSuite_Refused(string cipher)
    {
        var handshake = await RunAsync(MailProtocolKind.Imap, true, "-tls1_2", "-cipher", cipher);

        Assert.True(handshake.ExitCode != 0 && handshake.Protocol is null, handshake.ToString());
    }

    [Theory]
    [InlineData("ECDHE-RSA-AES128-GCM-SHA256")]
    [InlineData("ECDHE-RSA-AES256-GCM-SHA384")]
    [InlineData("ECDHE-RSA-CHACHA20-POLY1305")]
    public async Task Handshake_Tls12ForwardSecretAead_Accepted(string cipher)
    {
        var handshake = await RunAsync(MailProtocolKind.Imap, false, "-tls1_2", "-cipher", cipher);

        Assert.True(handshake.Cipher == cipher, handshake.ToString());
    }

    /// <summary>The control for the refusals above: the same clients get through when the proxy leaves the list to the platform.</summary>
    [Theory]
    [InlineData("ECDHE-RSA-AES128-SHA256")]
    [InlineData("ECDHE-RSA-AES256-SHA384")]
    public async Task Handshake_CbcCipherSuiteWithAllowLegacyCipherSuites_Accepted(string cipher)
    {
        await using var proxy = await fixture.StartProxyAsync(
            fixture.Authority.WritePem(fixture.Authority.Issue("legacy.tls.test"), $"legacy-{cipher}"),
            new Dictionary<string, string?> { ["Proxy:Tls:AllowLegacyCipherSuites"] = "true" });

        var handshake = await SClientHandshake.RunAsync(proxy.ImapsPort, MailProtocolKind.Imap, true, "-tls1_2", "-cipher", cipher);

        Assert.True(handshake.Cipher == cipher, handshake.ToString());
    }

    public static TheoryData<MailProtocolKind, bool, string?, string> ServerNames => new()
    {
        { MailProtocolKind.Imap, true, FrontEndTlsFixture.MailName, FrontEndTlsFixture.MailName },
        { MailProtocolKind.Imap, false, FrontEndTlsFixture.MailName, FrontEndTlsFixture.MailName },
        { MailProtocolKind.Pop3, true, FrontEndTlsFixture.MailName, FrontEndTlsFixture.MailName },
        { MailProtocolKind.Pop3, false, FrontEndTlsFixture.MailName, FrontEndTlsFixture.MailName },
        { MailProtocolKind.Imap, true, "IMAP.Contoso.test", FrontEndTlsFixture.WildcardName },
        { MailProtocolKind.Pop3, false, "pop3.contoso.test", FrontEndTlsFixture.WildcardName },
        { MailProtocolKind.Imap, true, "a.b.contoso.test", FrontEndTlsFixture.DefaultName },
        { MailProtocolKind.Imap, false, "contoso.test", FrontEndTlsFixture.DefaultName },
        { MailProtocolKind.Pop3, true, "mail.fabrikam.test", FrontEndTlsFixture.DefaultName },
        { MailProtocolKind.Imap, true, null, FrontEndTlsFixture.DefaultName },
        { MailProtocolKind.Pop3, false, null, FrontEndTlsFixture.DefaultName },
    };

    [Theory]
    [MemberData(nameof(ServerNames))]
    public async Task Handshake_ServerName_CertificateForThatName(MailProtocolKind protocol, bool implicitTls, string? serverName, string expectedCommonName)
    {
        string[] sni = serverName is null ? ["-noservername"] : ["-servername", serverName];

        var handshake = await RunAsync(protocol, implicitTls, [.. sni, "-CAfile", fixture.Authority.CaCertificatePath]);

        Assert.True(handshake.Subject == $"CN = {expectedCommonName}", handshake.ToString());
        Assert.Contains("Verify return code: 0 (ok)", handshake.Output);
    }

    private Task<SClientHandshake> RunAsync(MailProtocolKind protocol, bool implicitTls, params string[] options)
    {
        var proxy = fixture.Proxy;
        var port = (protocol, implicitTls) switch
        {
            (MailProtocolKind.Imap, true) => proxy.ImapsPort,
            (MailProtocolKind.Imap, false) => proxy.ImapPort,
            (MailProtocolKind.Pop3, true) => proxy.Pop3sPort,
            _ => proxy.Pop3Port,
        };
        return SClientHandshake.RunAsync(port, protocol, implicitTls, options);
    }
}
