using System.IO.Pipelines;
using System.Net.Security;

namespace Proxy.Core.Listening;

/// <summary>
/// Client-side STARTTLS/STLS: a server TLS handshake over the plaintext
/// transport, and new pipes over the SslStream. The dialogue has already
/// discarded any bytes pipelined after the command (CVE-2011-0411 class).
/// </summary>
internal static class StartTlsUpgrade
{
    /// <param name="certificates">Chooses the certificate by the name in the client's hello (SNI), as implicit TLS does.</param>
    public static async ValueTask<StreamDuplexPipe> UpgradeAsync(IDuplexPipe transport, FrontEndCertificate certificates, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                static (_, hello, state, _) => ValueTask.FromResult(((FrontEndCertificate)state!).ServerOptions(hello.ServerName)),
                certificates,
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        TlsIdleBuffers.Release(ssl);
        return new StreamDuplexPipe(ssl);
    }
}

/// <summary>Pipes over a stream, with zero-byte reads so an idle session holds no read buffer.</summary>
internal sealed class StreamDuplexPipe(SslStream stream) : IDuplexPipe
{
    /// <summary>The TLS stream under the pipes, for the close_notify at the end of the session.</summary>
    public SslStream Stream { get; } = stream;

    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 65536));
}
