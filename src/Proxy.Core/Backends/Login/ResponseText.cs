namespace Proxy.Core.Backends.Login;

/// <summary>Reads the parts of a backend response the login needs: the <c>[CODE]</c> (IMAP and POP3 alike) and capabilities.</summary>
internal static class ResponseText
{
    /// <summary>The code name of <c>[NAME args] text</c>, upper case; null when the text has no code.</summary>
    public static string? CodeName(string text)
    {
        if (!text.StartsWith('['))
        {
            return null;
        }

        var end = text.AsSpan(1).IndexOfAny(' ', ']');
        return end <= 0 ? null : text.Substring(1, end).ToUpperInvariant();
    }

    /// <summary>The capabilities of a <c>[CAPABILITY …]</c> code at the start of <paramref name="text"/>.</summary>
    public static bool TryGetImapCapabilityCode(string text, out string[] capabilities)
    {
        capabilities = [];
        if (CodeName(text) != "CAPABILITY")
        {
            return false;
        }

        var close = text.IndexOf(']', StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        capabilities = SplitWords(text["[CAPABILITY".Length..close]);
        return true;
    }

    public static string[] SplitWords(string capabilities) =>
        capabilities.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
