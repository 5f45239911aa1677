using System.Buffers;
using System.Text;
using Proxy.Protocols.Common;

namespace Proxy.Protocols.Imap;

/// <summary>Formats server responses. Text never breaks the line (see <see cref="LineWriter"/>).</summary>
public static class ImapResponseWriter
{
    /// <summary><c>tag STATUS [CODE] text</c>.</summary>
    public static void WriteTagged(IBufferWriter<byte> output, string tag, ImapResponseStatus status, string? responseCode, string text) =>
        LineWriter.WriteLine(output, Format(tag, status, responseCode, text));

    /// <summary><c>* STATUS [CODE] text</c>.</summary>
    public static void WriteUntagged(IBufferWriter<byte> output, ImapResponseStatus status, string? responseCode, string text) =>
        LineWriter.WriteLine(output, Format("*", status, responseCode, text));

    /// <summary><c>* data</c>, e.g. <c>* CAPABILITY IMAP4rev1</c>.</summary>
    public static void WriteUntaggedData(IBufferWriter<byte> output, string data) =>
        LineWriter.WriteLine(output, "* " + data);

    /// <summary><c>+ text</c>; an empty text gives <c>"+ "</c>, the empty SASL challenge.</summary>
    public static void WriteContinuation(IBufferWriter<byte> output, string text) =>
        LineWriter.WriteLine(output, "+ " + text);

    /// <summary>Quotes printable ASCII as an IMAP quoted string, escaping <c>"</c> and <c>\</c>; other characters become '?'.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.Append('"').ToString();
    }

    private static string Format(string tag, ImapResponseStatus status, string? responseCode, string text)
    {
        var word = status switch
        {
            ImapResponseStatus.Ok => "OK",
            ImapResponseStatus.No => "NO",
            ImapResponseStatus.Bad => "BAD",
            ImapResponseStatus.Bye => "BYE",
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        return responseCode is null ? $"{tag} {word} {text}" : $"{tag} {word} [{responseCode}] {text}";
    }
}
