using System.Collections.Frozen;

namespace Proxy.Core.Directory;

/// <summary>One validated load of the directory file; replaced whole on reload.</summary>
/// <param name="NetBiosDomain">Accepted in <c>DOMAIN\alias</c> names; null when the file names none.</param>
/// <param name="ByUserPrincipalName">Users by UPN, case-insensitive.</param>
/// <param name="ByAlias">Users by bare alias (UPN local part and Aliases), case-insensitive.</param>
/// <param name="DummyHash">Checked for unknown users so they cost what a known user costs.</param>
/// <param name="MalformedHashUsers">UPNs whose hash cannot be read: they can never log in.</param>
internal sealed record DirectorySnapshot(
    string? NetBiosDomain,
    FrozenDictionary<string, DirectoryUser> ByUserPrincipalName,
    FrozenDictionary<string, DirectoryUser> ByAlias,
    string DummyHash,
    IReadOnlyList<string> MalformedHashUsers)
{
    /// <summary>Finds the user a login name means, or null. The name has no control characters.</summary>
    public DirectoryUser? Find(string loginName)
    {
        var backslash = loginName.IndexOf('\\', StringComparison.Ordinal);
        if (backslash >= 0)
        {
            var domain = loginName[..backslash];
            return NetBiosDomain is not null && string.Equals(domain, NetBiosDomain, StringComparison.OrdinalIgnoreCase)
                ? ByAlias.GetValueOrDefault(loginName[(backslash + 1)..])
                : null;
        }

        return loginName.Contains('@', StringComparison.Ordinal)
            ? ByUserPrincipalName.GetValueOrDefault(loginName)
            : ByAlias.GetValueOrDefault(loginName);
    }

    /// <summary>True when <paramref name="other"/> holds the same users under the same names (the dummy hash is random and not compared).</summary>
    public bool HasSameUsersAs(DirectorySnapshot other) =>
        string.Equals(NetBiosDomain, other.NetBiosDomain, StringComparison.OrdinalIgnoreCase)
        && SameEntries(ByUserPrincipalName, other.ByUserPrincipalName)
        && SameEntries(ByAlias, other.ByAlias);

    private static bool SameEntries(FrozenDictionary<string, DirectoryUser> left, FrozenDictionary<string, DirectoryUser> right) =>
        left.Count == right.Count
        && left.All(pair => right.TryGetValue(pair.Key, out var user) && user == pair.Value);
}
