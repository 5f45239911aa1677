using Proxy.Protocols.Imap;
using Proxy.Protocols.Pop3;

namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// The <c>parameters</c> column of a pre-auth command. An allow-list: only what is known to be
/// harmless is written (the IMAP tag, a user name, a SASL mechanism); a password, a SASL initial
/// response and the arguments of any other command (unknown ones may carry anything) never are.
/// </summary>
internal static class ProtocolLogRedaction
{
    /// <summary>What stands for a secret, as Exchange and MailKit write it.</summary>
    public const string Redacted = "****";

    private const int MaxValueLength = 256;

    /// <summary>A command name as logged: the parser's upper-case name, cut to a sane length.</summary>
    public static string CommandName(string name) => name.Length <= 64 ? name : name[..64];

    public static string Imap(ImapCommand command)
    {
        var arguments = command.Arguments;
        return command.Name switch
        {
            "LOGIN" when arguments.Count >= 1 => $"{command.Tag} {StringOf(arguments[0])} {Redacted}",
            "AUTHENTICATE" when arguments.Count >= 1 => $"{command.Tag} {StringOf(arguments[0])}{(arguments.Count > 1 ? " " + Redacted : "")}",
            _ => command.Tag,
        };
    }

    public static string? Pop3(Pop3Command command)
    {
        var arguments = command.Arguments;
        return command.Keyword switch
        {
            "USER" when arguments.Count >= 1 => Cut(arguments[0]),
            "PASS" => Redacted,
            "APOP" when arguments.Count >= 1 => $"{Cut(arguments[0])} {Redacted}",
            "AUTH" when arguments.Count >= 1 => arguments[0] + (arguments.Count > 1 ? " " + Redacted : ""),
            _ => null,
        };
    }

    private static string StringOf(ImapArgument argument) => argument.TryGetString(out var value) ? Cut(value) : "";

    private static string Cut(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength];
}
