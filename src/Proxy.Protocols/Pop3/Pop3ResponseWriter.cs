using System.Buffers;
using Proxy.Protocols.Common;

namespace Proxy.Protocols.Pop3;

/// <summary>Formats POP3 responses. Text never breaks the line (see <see cref="LineWriter"/>).</summary>
public static class Pop3ResponseWriter
{
    /// <summary><c>+OK text</c>.</summary>
    public static void WriteOk(IBufferWriter<byte> output, string text) =>
        LineWriter.WriteLine(output, text.Length == 0 ? "+OK" : "+OK " + text);

    /// <summary><c>-ERR [CODE] text</c> (RFC 2449 response codes, e.g. <c>AUTH</c>, <c>SYS/TEMP</c>).</summary>
    public static void WriteErr(IBufferWriter<byte> output, string? responseCode, string text) =>
        LineWriter.WriteLine(output, responseCode is null ? "-ERR " + text : $"-ERR [{responseCode}] {text}");

    /// <summary><c>+OK text</c>, the lines (dot-stuffed), then the terminating <c>.</c>.</summary>
    public static void WriteMultiLine(IBufferWriter<byte> output, string text, IEnumerable<string> lines)
    {
        WriteOk(output, text);
        foreach (var line in lines)
        {
            LineWriter.WriteLine(output, line.StartsWith('.') ? "." + line : line);
        }

        LineWriter.WriteLine(output, ".");
    }

    /// <summary><c>+ challenge</c> during AUTH; an empty challenge gives <c>"+ "</c>.</summary>
    public static void WriteContinuation(IBufferWriter<byte> output, string challenge) =>
        LineWriter.WriteLine(output, "+ " + challenge);
}
