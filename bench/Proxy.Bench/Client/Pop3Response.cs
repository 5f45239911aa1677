namespace Proxy.Bench.Client;

/// <summary>The few facts the load generator needs from a POP3 response line (RFC 1939).</summary>
internal static class Pop3Response
{
    public static bool IsOk(ReadOnlySpan<byte> line) => line.StartsWith("+OK"u8) && (line.Length == 3 || line[3] == ' ');

    public static bool IsErr(ReadOnlySpan<byte> line) => line.StartsWith("-ERR"u8);

    /// <summary>The line that ends a multi-line response: a single dot (a dot-stuffed "..x" line is data).</summary>
    public static bool IsTerminator(ReadOnlySpan<byte> line) => line.Length == 1 && line[0] == '.';

    /// <summary>The payload bytes a received multi-line data line stands for: CR LF counted, a stuffed leading dot not.</summary>
    public static int DataLength(ReadOnlySpan<byte> line) => (line.Length > 0 && line[0] == '.' ? line.Length - 1 : line.Length) + 2;
}
