using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Options;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.PreAuth;
using Proxy.Core.PreAuth.Imap;
using Proxy.Core.PreAuth.Pop3;
using Proxy.Core.Sessions;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.PreAuth;

/// <summary>
/// One dialogue over in-memory pipes: the test plays the client, writing to
/// <see cref="SendAsync"/> and reading exact lines with <see cref="ReadLineAsync"/>.
/// STARTTLS is a fake that keeps the same pipes and records the call.
/// </summary>
internal sealed class DialogueHarness
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(5);

    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public DialogueHarness(
        MailProtocol protocol,
        LoginType loginType = LoginType.PlainTextLogin,
        bool implicitTls = false,
        TlsMode tls = TlsMode.Succeeds,
        Action<ProxyOptions>? configure = null,
        EndPoint? remoteEndPoint = null)
    {
        var options = new ProxyOptions { ServerName = "test" };
        options.Imap.LoginType = loginType;
        options.Pop3.LoginType = loginType;
        configure?.Invoke(options);

        Func<IDuplexPipe, CancellationToken, ValueTask<IDuplexPipe>>? upgrade = tls switch
        {
            TlsMode.NoCertificate => null,
            TlsMode.Hangs => async (transport, token) =>
            {
                TlsUpgrades++;
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return transport;
            },
            TlsMode.Fails => (_, _) =>
            {
                TlsUpgrades++;
                throw new AuthenticationException("handshake failed");
            },
            _ => (transport, _) =>
            {
                TlsUpgrades++;
                return ValueTask.FromResult(transport);
            },
        };

        Connection = new ClientConnection("c1", new DuplexPipe(_toServer.Reader, _toClient.Writer), implicitTls, remoteEndPoint, null, upgrade);
        var monitor = new FixedOptionsMonitor(options);
        IFrontEndDialogueFactory factory = protocol == MailProtocol.Imap
            ? new ImapDialogueFactory(monitor, Logs, Time)
            : new Pop3DialogueFactory(monitor, Logs, Time);
        Assert.Equal(protocol, factory.Protocol);
        Dialogue = factory.Create(Connection);
    }

    public enum TlsMode
    {
        Succeeds,
        Fails,
        NoCertificate,
        /// <summary>The client never sends its hello: the handshake waits until cancelled.</summary>
        Hangs,
    }

    public ClientConnection Connection { get; }

    public IFrontEndDialogue Dialogue { get; }

    public ManualTimeProvider Time { get; } = new();

    public RecordingLoggerFactory Logs { get; } = new();

    public int TlsUpgrades { get; private set; }

    public static BackendSession Backend(string loginResponse)
    {
        var endpoint = new BackendEndpoint("backend", 993, BackendMethod.Ssl);
        var server = new BackendServer("mbx1", "backend", "site", ServerVersion.Exchange2013, true, false, new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>(), new BackendTlsOptions());
        var pipe = new Pipe();
        return new BackendSession(server, endpoint, Stream.Null, pipe.Reader, pipe.Writer, loginResponse);
    }

    public async Task SendAsync(string text)
    {
        await _toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public async Task SendBytesAsync(byte[] bytes) => await _toServer.Writer.WriteAsync(bytes);

    public ValueTask DisconnectAsync() => _toServer.Writer.CompleteAsync();

    public async Task<string> ReadLineAsync()
    {
        using var limit = new CancellationTokenSource(ReadLimit);
        while (true)
        {
            var result = await _toClient.Reader.ReadAsync(limit.Token);
            var buffer = result.Buffer;
            var lineFeed = buffer.PositionOf((byte)'\n');
            if (lineFeed is not null)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, lineFeed.Value).ToArray());
                _toClient.Reader.AdvanceTo(buffer.GetPosition(1, lineFeed.Value));
                Assert.EndsWith("\r", line);
                return line[..^1];
            }

            Assert.False(result.IsCompleted, "The dialogue closed its output.");
            _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async Task ExpectAsync(params string[] lines)
    {
        foreach (var expected in lines)
        {
            Assert.Equal(expected, await ReadLineAsync());
        }
    }

    /// <summary>Nothing more was written (call once the dialogue is known to be idle or done).</summary>
    public void ExpectNoMoreOutput()
    {
        if (_toClient.Reader.TryRead(out var result))
        {
            var text = Encoding.UTF8.GetString(result.Buffer.ToArray());
            _toClient.Reader.AdvanceTo(result.Buffer.End);
            Assert.Equal("", text);
        }
    }

    /// <summary>What the client sent that the dialogue left unread (for the relay).</summary>
    public string PendingInput()
    {
        if (!Connection.Input.TryRead(out var result))
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(result.Buffer.ToArray());
        Connection.Input.AdvanceTo(result.Buffer.Start);
        return text;
    }

    /// <summary>Starts ReadLoginAsync; the test then plays the client and awaits the task with <see cref="Within{T}"/>.</summary>
    public Task<LoginRequest?> StartReadLogin() => Dialogue.ReadLoginAsync(CancellationToken.None).AsTask();

    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(ReadLimit);

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class FixedOptionsMonitor(ProxyOptions value) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue { get; } = value;

        public ProxyOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }
}
