using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Buffers;
using System.Security.Cryptography;
using Proxy.Core.Relay;

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
