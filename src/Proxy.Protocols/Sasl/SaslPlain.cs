using System.Text;

namespace Proxy.Protocols.Sasl;

/// <summary>The PLAIN mechanism (RFC 4616): <c>[authzid] NUL authcid NUL passwd</c>, base64 on the wire.</summary>
public static class SaslPlain
{
    public const string Name = "PLAIN";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a base64 client response.</summary>
    public static SaslStatus TryDecode(ReadOnlySpan<byte> base64, out SaslPlainCredentials? credentials)
    {
        credentials = null;
        return SaslBase64.TryDecode(base64, out var message) ? TryParseMessage(message, out credentials) : SaslStatus.InvalidBase64;
    }

    /// <summary>Parses the decoded message: exactly two NULs, non-empty user name and password, valid UTF-8.</summary>
    public static SaslStatus TryParseMessage(ReadOnlySpan<byte> message, out SaslPlainCredentials? credentials)
    {
        credentials = null;
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return SaslStatus.Malformed;
        }

        var afterFirst = message[(first + 1)..];
        var second = afterFirst.IndexOf((byte)0);
        if (second < 0)
        {
            return SaslStatus.Malformed;
        }

        var password = afterFirst[(second + 1)..];
        var userName = afterFirst[..second];
        if (userName.IsEmpty || password.IsEmpty || password.Contains((byte)0))
        {
            return SaslStatus.Malformed;
        }

        try
        {
            credentials = new SaslPlainCredentials(
                StrictUtf8.GetString(message[..first]),
                StrictUtf8.GetString(userName),
                StrictUtf8.GetString(password));
            return SaslStatus.Success;
        }
        catch (DecoderFallbackException)
        {
            return SaslStatus.Malformed;
        }
    }

    /// <summary>The base64 initial response a client (the proxy, towards a backend) sends.</summary>
    public static string EncodeInitialResponse(string userName, string password, string authorizationId = "")
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(authorizationId);
        return SaslBase64.Encode(Encoding.UTF8.GetBytes($"{authorizationId}\0{userName}\0{password}"));
    }
}
