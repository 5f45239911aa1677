namespace Proxy.Core.Configuration;

/// <summary>The mail protocols the proxy fronts.</summary>
public enum MailProtocol
{
    Imap,
    Pop3,
}
