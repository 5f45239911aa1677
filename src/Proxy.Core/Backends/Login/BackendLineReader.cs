using System.Buffers;
using System.IO.Pipelines;
using System.Text;

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
            var lineEnd = buffer.PositionOf((byte)'\n');
            var lineLength = lineEnd is null ? buffer.Length : buffer.Slice(0, lineEnd.Value).Length;
            if (lineLength > maxLength)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new BackendFailureException(BackendFailureKind.Protocol, $"backend line longer than {maxLength} bytes");
            }

            if (lineEnd is { } end)
            {
                var line = Decode(buffer.Slice(0, end));
                reader.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    private static string Decode(ReadOnlySequence<byte> content)
    {
        if (!content.IsEmpty && content.Slice(content.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            content = content.Slice(0, content.Length - 1);
        }

        return Encoding.UTF8.GetString(content);
    }
}
