namespace Proxy.Protocols.Pop3;

/// <summary>A parsed command: upper-cased keyword and its arguments.</summary>
public sealed record Pop3Command(string Keyword, IReadOnlyList<string> Arguments)
{
    /// <summary>Never shows the arguments: PASS and AUTH carry secrets.</summary>
    public override string ToString() => $"Pop3Command {{ Keyword = {Keyword}, Arguments = {Arguments.Count} }}";
}
