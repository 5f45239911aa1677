using System.Text;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// Bytes no client should send before login, over real sockets: each gets a clear,
/// protocol-correct answer or a goodbye, never a crash or a hang, and a well-behaved session
/// connected to the same listener beforehand still logs in afterwards.
/// </summary>
public sealed class MalformedInputTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    private const int LoginSucceeded = 3200;
    private const int InvalidCredentials = 3201;
    private const int TooManyBadCommands = 3142;

    private readonly HostileInputFixture _fixture = fixture;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task BytesWithoutLineEnd_StreamedUntilClosed_GoodbyeAfterMaxCommandSize(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(protocol, proxy.PlainPort(protocol), _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await hostile.ReadLineAsync();

        // A client that never ends its line: it writes until it hears the goodbye (or 8 MiB, or 20 s).
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        long sent = 0;
        var chunk = new string('x', 1024);
        var writer = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested && Interlocked.Read(ref sent) < 8 * 1024 * 1024)
                {
                    await hostile.WriteAsync(chunk);
                    Interlocked.Add(ref sent, chunk.Length);
                    await Task.Delay(2, stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The proxy closed the connection, or the test is done.
            }
        });

        var goodbye = await hostile.ReadUntilAsync(protocol == MailProtocolKind.Imap ? "* BYE" : "-ERR");
        var sentBeforeGoodbye = Interlocked.Read(ref sent);
        await stop.CancelAsync();
        await writer;

        Assert.Contains("too long", goodbye, StringComparison.Ordinal);
        // Defaults: 10240 bytes (IMAP), 512 (POP3); the proxy answered long before the client's own 8 MiB cap.
        Assert.True(sentBeforeGoodbye < 4 * 1024 * 1024, $"the goodbye came only after {sentBeforeGoodbye} bytes");
        Assert.True(await hostile.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "the proxy kept the connection open");
        await good.AssertStillWorksAsync();
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task NulBytes_InCommandAndInCredentials_RefusedAndSessionGoesOn(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(protocol, proxy.PlainPort(protocol), _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectEncryptedAsync(protocol, proxy.PlainPort(protocol), _fixture.Pki, implicitTls: false);

        if (protocol == MailProtocolKind.Imap)
        {
            await hostile.WriteLineAsync($"a LOGIN ali\0ce {Topologies.Password}");
            Assert.Equal("* BAD Syntax error: NUL byte in command line.", await hostile.ReadLineAsync());

            // In a literal the NUL is legal IMAP, so it reaches the credential check, which refuses it.
            var user = $"{Topologies.Alice}\0";
            await hostile.WriteAsync($"b LOGIN {{{user.Length}+}}\r\n{user} {Topologies.Password}\r\n");
            Assert.Equal("b NO [AUTHENTICATIONFAILED] Authentication failed.", await hostile.ReadLineAsync());
            Assert.StartsWith("c OK", await hostile.ImapCommandAsync("c", "NOOP"));
        }
        else
        {
            await hostile.WriteLineAsync("USER ali\0ce");
            Assert.Equal("-ERR Syntax error: NUL byte in command line.", await hostile.ReadLineAsync());
            await hostile.WriteLineAsync($"PASS {Topologies.Password}\0");
            Assert.StartsWith("-ERR", await hostile.ReadLineAsync());
            await hostile.WriteLineAsync("CAPA");
            Assert.StartsWith("+OK", await hostile.ReadLineAsync());
            await hostile.ReadUntilAsync(".");
        }

        Assert.Empty(proxy.Logs.WithEventId(InvalidCredentials));
        Assert.Empty(BackendAttempt.All(proxy.Logs));
        await good.AssertStillWorksAsync();
    }

    [Fact]
    public async Task ImapLiteralSizes_HugeNegativeAndOverTheLimit_RefusedThenLiteralPlusOverTheLimitEndsSession()
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(MailProtocolKind.Imap, proxy.ImapPort, _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapPort, _fixture.Pki, implicitTls: false);

        Assert.Equal("a BAD Syntax error: Invalid literal.", await hostile.ImapCommandAsync("a", "LOGIN {99999999999999999999}"));
        Assert.Equal("b BAD Syntax error: Invalid literal.", await hostile.ImapCommandAsync("b", "LOGIN {-1}"));
        Assert.Equal("c BAD Syntax error: Invalid literal.", await hostile.ImapCommandAsync("c", "LOGIN {4294967296}"));

        // A synchronizing literal over MaxLiteralSize (8192) is refused before the client sends it: no "+".
        Assert.Equal("d NO [TOOBIG] Literal too large.", await hostile.ImapCommandAsync("d", "LOGIN {4294967295}"));
        Assert.Equal("e OK NOOP completed.", await hostile.ImapCommandAsync("e", "NOOP"));
        Assert.DoesNotContain(hostile.Transcript, line => line.StartsWith('+'));

        // A LITERAL+ literal over the limit is already on its way and cannot be told from commands: goodbye.
        await hostile.WriteAsync($"f LOGIN alice {{9000+}}\r\n{new string('p', 9000)}\r\n");
        Assert.Equal("* BYE [TOOBIG] Literal too large.", await hostile.ReadLineAsync());
        Assert.True(await hostile.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "the proxy kept the connection open");
        await good.AssertStillWorksAsync();
    }

    [Theory]
    [InlineData(90, 100, "* BYE [TOOBIG] Literal too large.")]
    [InlineData(1000, 1, "* BYE Syntax error: Too many arguments.")]
    public async Task ImapLiteralPlus_ManySmallLiterals_ByeBeforeTheirBytesAreReadAsCommands(int count, int size, string goodbye)
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(MailProtocolKind.Imap, proxy.ImapPort, _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectAsync(proxy.ImapPort);
        await hostile.ReadLineAsync();

        // Each literal is small: 90 x 100 bytes pass MaxLiteralSize (8192) together at the 82nd;
        // 1000 x 1 byte stay under it but pass the 100 arguments a command may have.
        var command = new StringBuilder("a ID (");
        for (var i = 0; i < count; i++)
        {
            command.Append(i == 0 ? "" : " ").Append($"{{{size}+}}\r\n").Append(new string((char)('a' + (i % 26)), size));
        }

        await hostile.WriteAsync(command.Append(")\r\n").ToString());

        Assert.Equal(goodbye, await hostile.ReadLineAsync());
        Assert.True(await hostile.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "the proxy kept the connection open");
        Assert.Equal(2, hostile.Transcript.Count);
        await good.AssertStillWorksAsync();
    }

    [Fact]
    public async Task ImapSasl_InvalidBase64AndResponseAfterCancel_RefusedAndNeverLogsIn()
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(MailProtocolKind.Imap, proxy.ImapPort, _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapPort, _fixture.Pki, implicitTls: false);
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Topologies.Alice}\0{Topologies.Password}"));

        await hostile.WriteLineAsync("a AUTHENTICATE PLAIN");
        Assert.Equal("+ ", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync("!!not base64!!");
        Assert.Equal("a BAD Invalid base64 data.", await hostile.ReadLineAsync());

        Assert.Equal("b BAD Invalid base64 data.", await hostile.ImapCommandAsync("b", "AUTHENTICATE PLAIN AGFsaWNl=x=="));

        // After "*" the exchange is over: the response sent anyway is a (bad) command, never credentials.
        await hostile.WriteLineAsync("c AUTHENTICATE PLAIN");
        Assert.Equal("+ ", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync("*");
        Assert.Equal("c BAD Authentication cancelled.", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync(plain);
        Assert.Contains(" BAD ", await hostile.ReadLineAsync(), StringComparison.Ordinal);

        await hostile.WriteLineAsync("d AUTHENTICATE LOGIN");
        Assert.Equal("+ VXNlcm5hbWU6", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Topologies.Alice)));
        Assert.Equal("+ UGFzc3dvcmQ6", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync("*");
        Assert.Equal("d BAD Authentication cancelled.", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Topologies.Password)));
        Assert.Contains(" BAD ", await hostile.ReadLineAsync(), StringComparison.Ordinal);

        Assert.Empty(proxy.Logs.WithEventId(LoginSucceeded));
        Assert.Empty(proxy.Logs.WithEventId(InvalidCredentials));
        Assert.Empty(BackendAttempt.All(proxy.Logs));

        // The session itself is intact: a proper exchange logs in.
        await hostile.WriteLineAsync($"e AUTHENTICATE PLAIN {plain}");
        Assert.StartsWith("e OK", await hostile.ReadUntilAsync("e "));
        Assert.Single(proxy.Logs.WithEventId(LoginSucceeded));
        await good.AssertStillWorksAsync();
    }

    [Fact]
    public async Task Pop3Sasl_InvalidBase64AndResponseAfterCancel_RefusedAndNeverLogsIn()
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(MailProtocolKind.Pop3, proxy.Pop3Port, _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Pop3, proxy.Pop3Port, _fixture.Pki, implicitTls: false);

        await hostile.WriteLineAsync("AUTH PLAIN");
        Assert.Equal("+ ", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync("!!not base64!!");
        Assert.Equal("-ERR Invalid base64 data.", await hostile.ReadLineAsync());

        await hostile.WriteLineAsync("AUTH LOGIN");
        Assert.Equal("+ VXNlcm5hbWU6", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Topologies.Alice)));
        Assert.Equal("+ UGFzc3dvcmQ6", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync("*");
        Assert.Equal("-ERR Authentication cancelled.", await hostile.ReadLineAsync());
        await hostile.WriteLineAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Topologies.Password)));
        Assert.StartsWith("-ERR", await hostile.ReadLineAsync());

        Assert.Empty(proxy.Logs.WithEventId(LoginSucceeded));
        Assert.Empty(BackendAttempt.All(proxy.Logs));

        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Topologies.Alice}\0{Topologies.Password}"));
        await hostile.WriteLineAsync($"AUTH PLAIN {plain}");
        Assert.StartsWith("+OK", await hostile.ReadLineAsync());
        Assert.Single(proxy.Logs.WithEventId(LoginSucceeded));
        await good.AssertStillWorksAsync();
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task UnknownCommandFlood_ClosedAtMaxBadCommands(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync();
        using var good = await GoodSession.ConnectAsync(protocol, proxy.PlainPort(protocol), _fixture.Pki);
        await using var hostile = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await hostile.ReadLineAsync();

        var flood = string.Concat(Enumerable.Range(1, 25).Select(i => protocol == MailProtocolKind.Imap ? $"x{i} FROB\r\n" : "FROB\r\n"));
        await hostile.WriteAsync(flood);

        Assert.True(await hostile.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(10)), "the proxy kept answering a flood of bad commands");
        var answers = hostile.Transcript.Skip(1).ToList();
        if (protocol == MailProtocolKind.Imap)
        {
            // The default MaxBadCommands is 10: ten answers, then the goodbye; the other fifteen are never read.
            Assert.Equal(
                [.. Enumerable.Range(1, 10).Select(i => $"x{i} BAD Unknown command, or command not valid before login."), "* BYE Too many invalid commands."],
                answers);
        }
        else
        {
            Assert.Equal(
                [.. Enumerable.Repeat("-ERR Unknown command, or command not valid before login.", 9), "-ERR Too many invalid commands."],
                answers);
        }

        Assert.Single(proxy.Logs.WithEventId(TooManyBadCommands));
        await good.AssertStillWorksAsync();
    }
}
