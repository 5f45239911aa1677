using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Core.Directory;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in the form
/// <c>$pbkdf2-sha256$i=&lt;iterations&gt;$&lt;salt base64&gt;$&lt;key base64&gt;</c>.
/// The iteration count travels in the hash, so stronger settings apply to new
/// hashes without breaking old ones.
/// </summary>
public static class PasswordHasher
{
    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    private const string Prefix = "$pbkdf2-sha256$";
    private const int SaltSize = 16;
    private const int KeySize = 32;
    private const int MinimumSaltSize = 8;
    private const int MinimumKeySize = 16;
    private const int MaximumSize = 64;

    // A hash claiming more work than this is treated as malformed: a typo must not
    // turn every login of that user into minutes of CPU.
    private const int MaximumIterations = 10_000_000;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaximumIterations);

        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, KeySize);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}i={iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(key)}");
    }

    /// <summary>
    /// True when <paramref name="password"/> matches. A malformed hash never matches
    /// and never throws; <see cref="IsWellFormed"/> lets the directory report it at load.
    /// </summary>
    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(encoded, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public static bool IsWellFormed(string? encoded) => TryParse(encoded, out _, out _, out _);

    /// <summary>The iteration count of a well-formed hash, or null.</summary>
    internal static int? IterationsOf(string? encoded) => TryParse(encoded, out var iterations, out _, out _) ? iterations : null;

    /// <summary>
    /// A hash no password matches (random key) that costs as much to check as a
    /// real one with <paramref name="iterations"/>: unknown users are verified
    /// against it so timing does not reveal which names exist.
    /// </summary>
    internal static string CreateDummy(int iterations) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}i={iterations}${Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltSize))}${Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize))}");

    private static bool TryParse(string? encoded, out int iterations, out byte[] salt, out byte[] key)
    {
        iterations = 0;
        salt = key = [];
        if (encoded is null || !encoded.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = encoded[Prefix.Length..].Split('$');
        if (parts.Length != 3
            || !parts[0].StartsWith("i=", StringComparison.Ordinal)
            || !int.TryParse(parts[0].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations < 1
            || iterations > MaximumIterations)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[1]);
            key = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length is >= MinimumSaltSize and <= MaximumSize && key.Length is >= MinimumKeySize and <= MaximumSize;
    }
}
