using System.Collections.Frozen;
using System.Text.Json;

namespace Proxy.Core.Directory;

/// <summary>
/// Reads and validates the directory file into a <see cref="DirectorySnapshot"/>.
/// Every problem is collected, each naming its key (<c>Users[3].Database: missing</c>),
/// so an operator fixes the file in one pass.
/// </summary>
internal static class DirectoryFileLoader
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly string[] RootKeys = ["NetBiosDomain", "Users"];
    private static readonly string[] UserKeys = ["UserPrincipalName", "Aliases", "PasswordHash", "Database", "Privileged", "Disabled"];

    public static DirectorySnapshot Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DirectoryFileException(path, [$"cannot be read: {ex.Message}"]);
        }

        return Parse(text, path);
    }

    public static DirectorySnapshot Parse(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new DirectoryFileException(path, [$"not valid JSON: {ex.Message}"]);
        }

        using (document)
        {
            var errors = new List<string>();
            var snapshot = Read(document.RootElement, errors);
            return errors.Count == 0 ? snapshot! : throw new DirectoryFileException(path, errors);
        }
    }

    private static DirectorySnapshot? Read(JsonElement root, List<string> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("(root): expected an object with NetBiosDomain and Users");
            return null;
        }

        CheckKeys(root, RootKeys, "", errors);
        var netBios = ReadString(root, "NetBiosDomain", "NetBiosDomain", errors);
        if (netBios is not null && !IsName(netBios))
        {
            errors.Add($"NetBiosDomain: '{netBios}' is not a domain name (no spaces, '@', '\\' or control characters)");
        }

        if (!TryGet(root, "Users", out var usersElement))
        {
            errors.Add("Users: missing");
            return null;
        }

        if (usersElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add("Users: expected an array");
            return null;
        }

        var byUpn = new Dictionary<string, (DirectoryUser User, int Index)>(StringComparer.OrdinalIgnoreCase);
        var byAlias = new Dictionary<string, (DirectoryUser User, int Index)>(StringComparer.OrdinalIgnoreCase);
        var malformed = new List<string>();
        var index = 0;
        foreach (var element in usersElement.EnumerateArray())
        {
            ReadUser(element, index++, byUpn, byAlias, malformed, errors);
        }

        var users = byUpn.Values.Select(v => v.User).ToList();
        return new DirectorySnapshot(
            netBios,
            byUpn.ToFrozenDictionary(p => p.Key, p => p.Value.User, StringComparer.OrdinalIgnoreCase),
            byAlias.ToFrozenDictionary(p => p.Key, p => p.Value.User, StringComparer.OrdinalIgnoreCase),
            PasswordHasher.CreateDummy(TypicalIterations(users)),
            malformed);
    }

    private static void ReadUser(
        JsonElement element,
        int index,
        Dictionary<string, (DirectoryUser User, int Index)> byUpn,
        Dictionary<string, (DirectoryUser User, int Index)> byAlias,
        List<string> malformed,
        List<string> errors)
    {
        var at = $"Users[{index}]";
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{at}: expected an object");
            return;
        }

        var errorCount = errors.Count;
        CheckKeys(element, UserKeys, at + ".", errors);
        var upn = Required(element, "UserPrincipalName", at, errors);
        var hash = Required(element, "PasswordHash", at, errors);
        var database = Required(element, "Database", at, errors);
        var privileged = ReadBool(element, "Privileged", at, errors);
        var disabled = ReadBool(element, "Disabled", at, errors);
        var aliases = ReadAliases(element, at, errors);

        var localPart = upn is null ? null : LocalPartOf(upn);
        if (upn is not null && localPart is null)
        {
            errors.Add($"{at}.UserPrincipalName: '{upn}' is not user@domain (one '@', no spaces, '\\' or control characters)");
        }

        if (upn is not null && byUpn.TryGetValue(upn, out var sameUpn))
        {
            errors.Add($"{at}.UserPrincipalName: '{upn}' is also Users[{sameUpn.Index}]");
        }

        if (errors.Count != errorCount || upn is null || localPart is null || hash is null || database is null)
        {
            return;
        }

        var user = new DirectoryUser(upn, hash, database, privileged, disabled);
        byUpn[upn] = (user, index);
        if (!PasswordHasher.IsWellFormed(hash))
        {
            malformed.Add(upn);
        }

        // The UPN's local part is an alias too; listing it again in Aliases is harmless.
        var names = new List<(string Alias, string Key)> { (localPart, $"{at}.UserPrincipalName") };
        names.AddRange(aliases.Where(a => !string.Equals(a.Alias, localPart, StringComparison.OrdinalIgnoreCase)));
        foreach (var (alias, key) in names.DistinctBy(n => n.Alias, StringComparer.OrdinalIgnoreCase))
        {
            if (byAlias.TryGetValue(alias, out var owner))
            {
                errors.Add($"{key}: alias '{alias}' is ambiguous, it is also an alias of Users[{owner.Index}] ({owner.User.UserPrincipalName})");
            }
            else
            {
                byAlias[alias] = (user, index);
            }
        }
    }

    private static List<(string Alias, string Key)> ReadAliases(JsonElement user, string at, List<string> errors)
    {
        var aliases = new List<(string, string)>();
        if (!TryGet(user, "Aliases", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return aliases;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{at}.Aliases: expected an array of names");
            return aliases;
        }

        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var key = $"{at}.Aliases[{i++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{key}: expected a string");
            }
            else if (item.GetString() is not { } alias || !IsName(alias))
            {
                errors.Add($"{key}: '{item.GetString()}' is not an alias (no spaces, '@', '\\' or control characters)");
            }
            else
            {
                aliases.Add((alias, key));
            }
        }

        return aliases;
    }

    private static string? LocalPartOf(string upn)
    {
        var at = upn.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == upn.Length - 1 || upn.IndexOf('@', at + 1) >= 0)
        {
            return null;
        }

        return IsName(upn[..at]) && IsName(upn[(at + 1)..]) ? upn[..at] : null;
    }

    /// <summary>A single name usable as an alias, domain or UPN half.</summary>
    private static bool IsName(string value) =>
        value.Length > 0
        && !value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '@' or '\\');

    /// <summary>The iteration count most users' hashes have, so the dummy check costs what a real one does.</summary>
    private static int TypicalIterations(IEnumerable<DirectoryUser> users) =>
        users.Select(u => PasswordHasher.IterationsOf(u.PasswordHash))
            .OfType<int>()
            .GroupBy(i => i)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Key)
            .Select(g => g.Key)
            .DefaultIfEmpty(PasswordHasher.DefaultIterations)
            .First();

    private static string? Required(JsonElement user, string name, string at, List<string> errors)
    {
        if (!TryGet(user, name, out _))
        {
            errors.Add($"{at}.{name}: missing");
            return null;
        }

        var value = ReadString(user, name, $"{at}.{name}", errors);
        if (value is not null && value.Trim().Length == 0)
        {
            errors.Add($"{at}.{name}: empty");
            return null;
        }

        return value;
    }

    private static string? ReadString(JsonElement parent, string name, string key, List<string> errors)
    {
        if (!TryGet(parent, name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{key}: expected a string");
            return null;
        }

        return element.GetString();
    }

    private static bool ReadBool(JsonElement user, string name, string at, List<string> errors)
    {
        if (!TryGet(user, name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add($"{at}.{name}: expected true or false");
            return false;
        }

        return element.GetBoolean();
    }

    // Keys match case-insensitively, like the rest of .NET configuration.
    private static bool TryGet(JsonElement parent, string name, out JsonElement value)
    {
        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    // A misspelt key ("Databse") would otherwise silently drop a setting.
    private static void CheckKeys(JsonElement element, string[] known, string prefix, List<string> errors)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}{property.Name}: unknown key (expected one of {string.Join(", ", known)})");
            }
        }
    }
}
