namespace Proxy.Protocols.Imap;

/// <summary>A whole command: tag, upper-cased name and arguments (literals included in place).</summary>
public sealed record ImapCommand(string Tag, string Name, IReadOnlyList<ImapArgument> Arguments);
