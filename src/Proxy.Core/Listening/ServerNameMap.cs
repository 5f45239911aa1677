namespace Proxy.Core.Listening;

/// <summary>
/// Host names (SNI) to values: exact names first, then wildcards of one leftmost label,
/// as certificate name matching works (RFC 6125 6.4.3), so a client is handed the
/// certificate it will accept. Built once; lookups are lock-free.
/// </summary>
internal sealed class ServerNameMap<T>
    where T : class
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.Ordinal);

    /// <summary>Keyed by the parent domain of the wildcard: <c>*.contoso.com</c> is stored as <c>contoso.com</c>.</summary>
    private readonly Dictionary<string, T> _wildcard = new(StringComparer.Ordinal);

    public int Count => _exact.Count + _wildcard.Count;

    /// <summary>Adds a name accepted by <see cref="ServerNamePattern.TryNormalize"/>; false when it is already mapped.</summary>
    public bool TryAdd(string pattern, T value)
    {
        if (!ServerNamePattern.TryNormalize(pattern, out var name, out var isWildcard, out _))
        {
            throw new ArgumentException($"'{pattern}' is not a host name pattern", nameof(pattern));
        }

        return isWildcard ? _wildcard.TryAdd(name[2..], value) : _exact.TryAdd(name, value);
    }

    /// <summary>The value for the name a client sent, or null when none is mapped (or no name was sent).</summary>
    public T? Find(string? serverName)
    {
        var name = ServerNamePattern.NormalizeRequested(serverName);
        if (name is null)
        {
            return null;
        }

        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        // One label only: a.b.contoso.com looks up b.contoso.com, which *.contoso.com is not stored under.
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _wildcard.TryGetValue(name[(dot + 1)..], out var wildcard) ? wildcard : null;
    }
}
