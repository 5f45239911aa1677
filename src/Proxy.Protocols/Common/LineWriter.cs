using System.Buffers;
using System.Text;

namespace Proxy.Protocols.Common;

/// <summary>
/// Writes one response line and its CRLF. CR, LF and NUL inside the text are
/// replaced by spaces: a reason or a backend's text must never be able to
/// start a second line the client would take for a response.
/// </summary>
public static class LineWriter
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    public static void WriteLine(IBufferWriter<byte> output, string text)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);

        var safe = text.AsSpan().IndexOfAny('\r', '\n', '\0') < 0
            ? text
            : text.Replace('\r', ' ').Replace('\n', ' ').Replace('\0', ' ');
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(safe.Length) + CrLf.Length);
        var written = Encoding.UTF8.GetBytes(safe, span);
        CrLf.CopyTo(span[written..]);
        output.Advance(written + CrLf.Length);
    }
}
