using System.IO.Pipelines;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends;

/// <summary>
/// A backend connection on which the proxy has logged in for the user; what
/// step 6 relays. Disposing closes the connection.
/// </summary>
public sealed class BackendSession(
    BackendServer server,
    BackendEndpoint endpoint,
    Stream stream,
    PipeReader input,
    PipeWriter output,
    string loginResponse) : IAsyncDisposable
{
    public BackendServer Server { get; } = server;

    public BackendEndpoint Endpoint { get; } = endpoint;

    public BackendMethod Method => Endpoint.Method;

    /// <summary>Reads from the backend; may already hold bytes that followed the login response.</summary>
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;

    /// <summary>
    /// The stream under <see cref="Input"/> and <see cref="Output"/> (the socket's, or TLS over it):
    /// the relay reads it directly once <see cref="Input"/>'s leftovers are relayed.
    /// </summary>
    internal Stream Stream { get; } = stream;

    /// <summary>
    /// IMAP: the backend's tagged response without its tag, e.g. <c>OK [CAPABILITY IMAP4rev1 …] Logged in</c>
    /// (the connector asks for CAPABILITY when the OK carried none).
    /// POP3: the backend's <c>+OK …</c> line. Never ends with CRLF.
    /// </summary>
    public string LoginResponse { get; } = loginResponse;

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        await Stream.DisposeAsync().ConfigureAwait(false);
    }
}
