using System.Globalization;
using System.Reflection;
using System.Text;

namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// The file format of Exchange's protocol logs: <c>#</c> header lines, then one CSV row per line.
/// Values come from clients (user names, command names), so escaping guarantees that one row is
/// always exactly one physical line: a hostile client can neither split a row nor forge one.
/// </summary>
internal static class ProtocolLogCsv
{
    public const string Fields = "dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context";

    private static readonly string SoftwareVersion =
        typeof(ProtocolLogCsv).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <param name="logType"><c>IMAP4 Protocol Log</c> or <c>POP3 Protocol Log</c>.</param>
    public static string Header(string logType, DateTimeOffset now) =>
        $"#Software: Proxy\r\n#Version: {SoftwareVersion}\r\n#Log-type: {logType}\r\n#Date: {Timestamp(now)}\r\n#Fields: {Fields}\r\n";

    /// <summary>The row as one line, ending with CRLF.</summary>
    public static string Format(in ProtocolLogRow row)
    {
        var builder = new StringBuilder(160);
        builder.Append(Timestamp(row.DateTime)).Append(',');
        Append(builder, row.SessionId).Append(',');
        builder.Append(row.SeqNumber.ToString(CultureInfo.InvariantCulture)).Append(',');
        Append(builder, row.ServerIp).Append(',');
        Append(builder, row.ClientIp).Append(',');
        Append(builder, row.User).Append(',');
        builder.Append(row.Duration.ToString(CultureInfo.InvariantCulture)).Append(',');
        builder.Append(row.RequestSize.ToString(CultureInfo.InvariantCulture)).Append(',');
        builder.Append(row.ResponseSize.ToString(CultureInfo.InvariantCulture)).Append(',');
        Append(builder, row.Command).Append(',');
        Append(builder, row.Parameters).Append(',');
        Append(builder, row.Context);
        return builder.Append("\r\n").ToString();
    }

    /// <summary>
    /// One value: control characters (CR, LF, NUL, TAB …, and the Unicode line and paragraph
    /// separators some viewers break lines at) become <c>\r</c>, <c>\n</c>, <c>\0</c> or <c>\uXXXX</c>,
    /// a backslash becomes <c>\\</c> so the escapes stay unambiguous; then a value holding a comma,
    /// a quote, or spaces at its ends is quoted the CSV way (RFC 4180, quotes doubled).
    /// </summary>
    public static StringBuilder Append(StringBuilder builder, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return builder;
        }

        var quote = value.AsSpan().IndexOfAny(',', '"') >= 0 || value[0] == ' ' || value[^1] == ' ' || value[0] == '#';
        if (quote)
        {
            builder.Append('"');
        }

        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\"\"");
                    break;
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\0':
                    builder.Append(@"\0");
                    break;
                case < ' ' or '\u007f' or '\u0085' or '\u2028' or '\u2029':
                    builder.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return quote ? builder.Append('"') : builder;
    }

    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
