using System.IO.Pipelines;
using System.Text;
using Proxy.Protocols.Common;

namespace Proxy.Core.Backends.Login;

/// <summary>
/// Reads the backend's CRLF-terminated lines during login, never buffering more
/// than a bounded line. Bytes after the line stay in the reader for whoever reads next.
/// </summary>
internal static class BackendLineReader
{
    /// <summary>
    /// The next line without its line end (a bare LF is accepted too), or null when the
    /// backend closed the connection. A line longer than <paramref name="maxLength"/>
    /// bytes throws <see cref="BackendFailureException"/> (Protocol).
    /// </summary>
    public static async ValueTask<string?> ReadLineAsync(PipeReader reader, int maxLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var status = LineReader.TryReadLine(buffer, maxLength, out var line, out var consumed, out var examined);
            switch (status)
            {
                case LineStatus.Complete:
                    var text = Encoding.UTF8.GetString(line);
                    reader.AdvanceTo(consumed);
                    return text;
                case LineStatus.TooLong:
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new BackendFailureException(BackendFailureKind.Protocol, $"backend line longer than {maxLength} bytes");
                case LineStatus.ContainsNul:
                    reader.AdvanceTo(consumed);
                    throw new BackendFailureException(BackendFailureKind.Protocol, "backend line contains a NUL byte");
            }

            reader.AdvanceTo(consumed, examined);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }
}
