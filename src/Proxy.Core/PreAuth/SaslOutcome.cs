namespace Proxy.Core.PreAuth;

/// <summary>How a SASL exchange with the client ended; each protocol phrases the answer.</summary>
internal enum SaslOutcome
{
    /// <summary>Credentials decoded and acceptable.</summary>
    Success,
    /// <summary>The client answered <c>*</c>.</summary>
    Cancelled,
    /// <summary>A response was not base64.</summary>
    InvalidBase64,
    /// <summary>Valid base64 but not a usable message, or credentials that may never reach the backend: a failed authentication.</summary>
    Failed,
    /// <summary>A response line was longer than the command limit; the session ends.</summary>
    LineTooLong,
}
