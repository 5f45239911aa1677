using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Proxy.Core.Listening;
using Proxy.Core.Tests.Backends.Fakes;
using Xunit;

namespace Proxy.Core.Tests.Listening;

/// <summary>
/// TlsIdleBuffers reaches into SslStream's private state; these tests pin that it still finds the
/// SSL handle on the runtime the project ships on (a runtime that moved it fails here, not silently
/// in production memory), and that a stream with the mode set carries data as before.
/// </summary>
public sealed class TlsIdleBuffersTests
{
    [Fact]
    public async Task AfterAHandshake_TheModeIsSetOnBothEnds()
    {
        var (server, client) = await HandshakeAsync();
        await using (server)
        await using (client)
        {
            Assert.True(TlsIdleBuffers.Available);
            Assert.True(TlsIdleBuffers.Release(server));
            Assert.True(TlsIdleBuffers.Release(client));

            // Setting it again is harmless and still reports it set.
            Assert.True(TlsIdleBuffers.Release(client));
        }
    }

    [Fact]
    public async Task WithTheModeSet_DataCrossesWholeBothWays_AcrossManyRecords()
    {
        var (server, client) = await HandshakeAsync();
        await using (server)
        await using (client)
        {
            Assert.True(TlsIdleBuffers.Release(server));
            Assert.True(TlsIdleBuffers.Release(client));

            // More than 16 KiB records' worth each way, with idle gaps in between: the buffers are freed
            // when drained and taken again for the next record.
            for (var round = 0; round < 3; round++)
            {
                var up = RandomNumberGenerator.GetBytes(300_000 + round);
                var down = RandomNumberGenerator.GetBytes(200_000 - round);
                var received = await Task.WhenAll(
                    SendAndReceiveAsync(client, up, server, up.Length),
                    SendAndReceiveAsync(server, down, client, down.Length));
                Assert.Equal(up, received[0]);
                Assert.Equal(down, received[1]);
                await Task.Delay(20);
            }

            // A zero-byte read (how the relay waits on an idle session) still wakes on data.
            var waiting = client.ReadAsync(Memory<byte>.Empty).AsTask();
            await server.WriteAsync("* OK still here\r\n"u8.ToArray());
            Assert.Equal(0, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
            var line = new byte[64];
            var read = await client.ReadAsync(line);
            Assert.Equal("* OK still here\r\n", System.Text.Encoding.ASCII.GetString(line, 0, read));
        }
    }

    [Fact]
    public async Task ADisposedStream_IsLeftAlone()
    {
        var (server, client) = await HandshakeAsync();
        await server.DisposeAsync();
        await client.DisposeAsync();

        Assert.False(TlsIdleBuffers.Release(client));
    }

    [Fact]
    public void AStreamThatNeverHandshook_IsLeftAlone()
    {
        using var ssl = new SslStream(new MemoryStream());

        Assert.False(TlsIdleBuffers.Release(ssl));
    }

    private static async Task<byte[]> SendAndReceiveAsync(SslStream from, byte[] data, SslStream to, int length)
    {
        var send = from.WriteAsync(data).AsTask();
        var buffer = new byte[length];
        await to.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        await send;
        return buffer;
    }

    private static async Task<(SslStream Server, SslStream Client)> HandshakeAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connecting = new TcpClient();
        var connect = connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        await connect;
        var server = new SslStream(accepted.GetStream(), leaveInnerStreamOpen: false);
        var client = new SslStream(connecting.GetStream(), leaveInnerStreamOpen: false);
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificates.Shared.Server }),
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true }));
        return (server, client);
    }
}
