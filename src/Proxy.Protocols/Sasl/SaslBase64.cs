using System.Buffers;
using System.Buffers.Text;

namespace Proxy.Protocols.Sasl;

/// <summary>
/// Strict base64 for SASL exchanges (RFC 4648 alphabet, padded, no whitespace):
/// RFC 9051 requires invalid base64 to be refused rather than guessed at, and
/// <see cref="Convert.FromBase64String"/> would accept embedded whitespace.
/// </summary>
public static class SaslBase64
{
    public static bool TryDecode(ReadOnlySpan<byte> text, out byte[] data)
    {
        data = [];
        if (text.Length % 4 != 0)
        {
            return false;
        }

        var padding = text.EndsWith("=="u8) ? 2 : text.EndsWith("="u8) ? 1 : 0;
        foreach (var c in text[..^padding])
        {
            if (!(char.IsAsciiLetterOrDigit((char)c) || c is (byte)'+' or (byte)'/'))
            {
                return false;
            }
        }

        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        if (Base64.DecodeFromUtf8(text, buffer, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        data = buffer[..written];
        return true;
    }

    /// <summary>
    /// An initial response on the command line (IMAP SASL-IR, RFC 4959; POP3 AUTH,
    /// RFC 5034), where a single <c>=</c> stands for an empty response.
    /// </summary>
    public static bool TryDecodeInitialResponse(ReadOnlySpan<byte> text, out byte[] data)
    {
        if (text.SequenceEqual("="u8))
        {
            data = [];
            return true;
        }

        return TryDecode(text, out data);
    }

    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);
}
