namespace Proxy.IntegrationTests.Harness;

/// <summary>Which protocol a theory row drives.</summary>
public enum MailProtocolKind
{
    Imap,
    Pop3,
}
