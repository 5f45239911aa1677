namespace Proxy.Protocols.Sasl;

/// <summary>Outcome of decoding a client's SASL response.</summary>
public enum SaslStatus
{
    Success,
    /// <summary>Not base64: the protocols answer this differently from a failed authentication (IMAP BAD).</summary>
    InvalidBase64,
    /// <summary>Valid base64, but not a valid message for the mechanism.</summary>
    Malformed,
}
