using Proxy.Core.Directory;

namespace Proxy.Core.Tests.Directory;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_LowIterations_HasDocumentedFormat()
    {
        var hash = PasswordHasher.Hash("Secret1!", iterations: 10);

        var parts = hash.Split('$');
        Assert.Equal(["", "pbkdf2-sha256", "i=10"], parts[..3]);
        Assert.Equal(16, Convert.FromBase64String(parts[3]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[4]).Length);
    }

    [Fact]
    public void Hash_DefaultIterations_Is600000()
    {
        Assert.StartsWith("$pbkdf2-sha256$i=600000$", PasswordHasher.Hash("Secret1!"), StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_SamePasswordTwice_UsesDifferentSalts()
    {
        Assert.NotEqual(PasswordHasher.Hash("Secret1!", 10), PasswordHasher.Hash("Secret1!", 10));
    }

    [Fact]
    public void Hash_ZeroIterations_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHasher.Hash("Secret1!", 0));
    }

    [Fact]
    public void Verify_RightPassword_ReturnsTrue()
    {
        Assert.True(PasswordHasher.Verify("Secret1!", PasswordHasher.Hash("Secret1!", 10)));
    }

    [Theory]
    [InlineData("secret1!")]
    [InlineData("Secret1")]
    [InlineData("")]
    public void Verify_WrongPassword_ReturnsFalse(string password)
    {
        Assert.False(PasswordHasher.Verify(password, PasswordHasher.Hash("Secret1!", 10)));
    }

    [Fact]
    public void Verify_NonAsciiPassword_RoundTrips()
    {
        Assert.True(PasswordHasher.Verify("Grüße-密码", PasswordHasher.Hash("Grüße-密码", 10)));
    }

    [Fact]
    public void Verify_IterationCountEditedInHash_ReturnsFalse()
    {
        var hash = PasswordHasher.Hash("Secret1!", 10);

        Assert.False(PasswordHasher.Verify("Secret1!", hash.Replace("$i=10$", "$i=11$", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Secret1!")]
    [InlineData("$pbkdf2-sha256$")]
    [InlineData("$pbkdf2-sha256$i=10$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("$pbkdf2-sha256$i=abc$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=-5$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=99999999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$10$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=10$not base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=10$AAAAAAAAAAAAAAAAAAAAAA==$not-base64")]
    [InlineData("$pbkdf2-sha256$i=10$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=10$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")]
    [InlineData("$pbkdf2-sha256$i=10$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$extra")]
    [InlineData("$pbkdf2-sha1$i=10$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=10$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012")]
    public void Verify_MalformedHash_ReturnsFalseWithoutThrowing(string hash)
    {
        Assert.False(PasswordHasher.Verify("Secret1!", hash));
        Assert.False(PasswordHasher.IsWellFormed(hash));
    }

    [Fact]
    public void IsWellFormed_NullHash_ReturnsFalse()
    {
        Assert.False(PasswordHasher.IsWellFormed(null));
    }
}
