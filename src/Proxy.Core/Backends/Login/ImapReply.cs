namespace Proxy.Core.Backends.Login;

/// <summary>A continuation request (<c>+ …</c>) or the tagged completion of an IMAP command.</summary>
/// <param name="Status">OK, NO or BAD, upper case; empty for a continuation.</param>
/// <param name="Text">The resp-text after the status, response code included.</param>
/// <param name="WithoutTag">The tagged line as the backend wrote it, without its tag.</param>
internal sealed record ImapReply(bool IsContinuation, string Status, string Text, string WithoutTag)
{
    public static ImapReply Continuation { get; } = new(true, "", "", "+");

    public bool IsOk => Status == "OK";

    /// <summary>The response code's name (<c>UNAVAILABLE</c> in <c>NO [UNAVAILABLE] …</c>), or null.</summary>
    public string? Code => ResponseText.CodeName(Text);
}
