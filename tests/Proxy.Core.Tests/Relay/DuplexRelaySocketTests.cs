using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Buffers;
using System.Security.Cryptography;
using Proxy.Core.Relay;
using Proxy.Core.Tests.Backends.Fakes;
using Proxy.Protocols.Imap;

namespace Proxy.Core.Tests.Relay;

/// <summary>
/// The backend->client pump reading a real backend socket directly (as sessions do): what the
/// login left in the backend's reader comes first, and a bulk transfer arrives byte for byte.
/// </summary>
public sealed class DuplexRelaySocketTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task LeftoverThenBulk_ArriveInOrderAndByteExact()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var backendPeer = new TcpClient();
        await backendPeer.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var proxySide = await listener.AcceptSocketAsync();
        var backendStream = new NetworkStream(proxySide, ownsSocket: false);
        var backendReader = PipeReader.Create(backendStream, new StreamPipeReaderOptions(bufferSize: 65536, leaveOpen: true, useZeroByteReads: true));
        var backendWriter = PipeWriter.Create(backendStream, new StreamPipeWriterOptions(leaveOpen: true));
        var peer = backendPeer.GetStream();

        // The login answer and, in the same packet, the start of what follows it: the reader keeps the rest.
        await peer.WriteAsync("a OK Logged in\r\n* 1 EXISTS\r\n"u8.ToArray());
        var login = await ReadUntilAsync(backendReader, 28);
        backendReader.AdvanceTo(login.Buffer.GetPosition(16));

        var fromClient = new Pipe();
        var toClient = new Pipe();
        using var end = new CancellationTokenSource();
        var relay = DuplexRelay.RunAsync(
            new Duplex(fromClient.Reader, toClient.Writer),
            new Duplex(backendReader, backendWriter),
            TimeSpan.FromMinutes(1),
            TimeProvider.System,
            end.Token,
            backendStream: backendStream);

        // Several full 64 KiB reads (no zero-byte wait between them) and a short last one.
        var bulk = RandomNumberGenerator.GetBytes((4 * DirectStreamSource.ReadSize) + 1234);
        var sending = peer.WriteAsync(bulk).AsTask();
        var received = await ReadUntilAsync(toClient.Reader, 12 + bulk.Length);
        await sending;

        Assert.Equal("* 1 EXISTS\r\n"u8.ToArray(), received.Buffer.Slice(0, 12).ToArray());
        Assert.Equal(bulk, received.Buffer.Slice(12, bulk.Length).ToArray());
        toClient.Reader.AdvanceTo(received.Buffer.End);

        backendPeer.Client.Shutdown(SocketShutdown.Send);
        var result = await relay.WaitAsync(Bound);
        Assert.Equal(RelayEnd.BackendClosed, result.End);
        Assert.Equal(12 + bulk.Length, result.BackendToClientBytes);
    }

    [Fact]
    public async Task TlsBackend_StopMidLiteral_CancelledReadResumesAndTheResponseEndsWhole()
    {
        // The stop wakes the pump by cancelling its pending read of the SslStream; mid-literal it must
        // read on from that same stream, and nothing may be lost or repeated.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var backendPeer = new TcpClient();
        await backendPeer.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var proxySide = await listener.AcceptSocketAsync();
        await using var serverTls = new SslStream(backendPeer.GetStream());
        await using var clientTls = new SslStream(new NetworkStream(proxySide, ownsSocket: false), leaveInnerStreamOpen: false);
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificates.Shared.Server }),
            clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true }));
        var backendReader = PipeReader.Create(clientTls, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));
        var backendWriter = PipeWriter.Create(clientTls, new StreamPipeWriterOptions(leaveOpen: true));

        var fromClient = new Pipe();
        var toClient = new Pipe();
        using var stop = new CancellationTokenSource();
        var progress = new RelayProgress(new ImapResponseScanner());
        var relay = DuplexRelay.RunAsync(
            new Duplex(fromClient.Reader, toClient.Writer),
            new Duplex(backendReader, backendWriter),
            TimeSpan.FromMinutes(1),
            TimeProvider.System,
            CancellationToken.None,
            progress: progress,
            stopAtBoundary: stop.Token,
            backendStream: clientTls);

        await serverTls.WriteAsync("* 1 FETCH (BODY[] {10}\r\n01234"u8.ToArray());
        var start = await ReadUntilAsync(toClient.Reader, 29);
        toClient.Reader.AdvanceTo(start.Buffer.GetPosition(29));

        await stop.CancelAsync();
        await Task.Delay(100);
        Assert.False(relay.IsCompleted, "the relay stopped in the middle of a literal");

        await serverTls.WriteAsync("56789)\r\na OK done\r\n"u8.ToArray());
        var result = await relay.WaitAsync(Bound);
        var rest = await ReadUntilAsync(toClient.Reader, 19);

        Assert.Equal(RelayEnd.Cancelled, result.End);
        Assert.Equal("56789)\r\na OK done\r\n"u8.ToArray(), rest.Buffer.ToArray());
        Assert.True(progress.CanSayGoodbye);
    }

    private static async Task<ReadResult> ReadUntilAsync(PipeReader reader, long length)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (true)
        {
            var result = await reader.ReadAsync(deadline.Token);
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                return result;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
