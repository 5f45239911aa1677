using System.Text;

namespace Proxy.Protocols.Sasl;

/// <summary>
/// The LOGIN mechanism (draft-murchison-sasl-login): the server asks
/// "Username:" then "Password:", the client answers each in base64.
/// </summary>
public static class SaslLogin
{
    public const string Name = "LOGIN";

    /// <summary>base64 of "Username:".</summary>
    public const string UserNameChallenge = "VXNlcm5hbWU6";

    /// <summary>base64 of "Password:".</summary>
    public const string PasswordChallenge = "UGFzc3dvcmQ6";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes one base64 answer; Malformed when it is not UTF-8.</summary>
    public static SaslStatus TryDecodeResponse(ReadOnlySpan<byte> base64, out string value) =>
        SaslBase64.TryDecode(base64, out var data) ? TryGetText(data, out value) : Fail(out value);

    /// <summary>As <see cref="TryDecodeResponse"/> for an initial response, where <c>=</c> is empty.</summary>
    public static SaslStatus TryDecodeInitialResponse(ReadOnlySpan<byte> base64, out string value) =>
        SaslBase64.TryDecodeInitialResponse(base64, out var data) ? TryGetText(data, out value) : Fail(out value);

    private static SaslStatus TryGetText(byte[] data, out string value)
    {
        try
        {
            value = StrictUtf8.GetString(data);
            return SaslStatus.Success;
        }
        catch (DecoderFallbackException)
        {
            value = "";
            return SaslStatus.Malformed;
        }
    }

    private static SaslStatus Fail(out string value)
    {
        value = "";
        return SaslStatus.InvalidBase64;
    }
}
