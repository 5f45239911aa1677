using System.Net;
using System.Net.Sockets;

namespace Proxy.Core.Backends.Connect;

/// <summary>Opens the TCP connection of one attempt, trying each address of the host in turn.</summary>
internal static class BackendSocket
{
    /// <summary>A connected socket with Nagle off (login lines and IMAP commands are small and latency-bound).</summary>
    /// <exception cref="BackendFailureException">Connect: the host does not resolve or no address accepts.</exception>
    public static async ValueTask<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var address)
                ? [address]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new BackendFailureException(BackendFailureKind.Connect, $"cannot resolve {host}: {e.Message}", e);
        }

        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new BackendFailureException(
            BackendFailureKind.Connect,
            lastError is null ? $"{host} has no address" : $"connect to {host}:{port} failed: {lastError.Message}",
            lastError);
    }
}
