using System.Text;
using Proxy.Protocols.Sasl;

namespace Proxy.Protocols.Tests.Sasl;

public sealed class SaslTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("YQ==", "a")]
    [InlineData("YWI=", "ab")]
    [InlineData("YWJj", "abc")]
    public void TryDecode_ValidBase64_Decodes(string text, string expected)
    {
        Assert.True(SaslBase64.TryDecode(Encoding.ASCII.GetBytes(text), out var data));
        Assert.Equal(expected, Encoding.ASCII.GetString(data));
    }

    [Theory]
    [InlineData("=")]
    [InlineData("YQ")]
    [InlineData("YQ=")]
    [InlineData("Y Q==")]
    [InlineData("YQ==\t")]
    [InlineData("Y=Q=")]
    [InlineData("YQ==YQ==")]
    [InlineData("YW*j")]
    [InlineData("===a")]
    [InlineData("a===")]
    public void TryDecode_InvalidBase64_IsFalse(string text)
    {
        Assert.False(SaslBase64.TryDecode(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void TryDecodeInitialResponse_Equals_IsEmpty()
    {
        Assert.True(SaslBase64.TryDecodeInitialResponse("="u8, out var data));
        Assert.Empty(data);
    }

    [Fact]
    public void TryDecode_Plain_ReturnsCredentials()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0bob\0pass word"));

        Assert.Equal(SaslStatus.Success, SaslPlain.TryDecode(Encoding.ASCII.GetBytes(encoded), out var credentials));
        Assert.Equal(new SaslPlainCredentials("", "bob", "pass word"), credentials);
    }

    [Fact]
    public void TryDecode_PlainWithAuthorizationId_KeepsIt()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("admin\0bob\0pw"));

        SaslPlain.TryDecode(Encoding.ASCII.GetBytes(encoded), out var credentials);

        Assert.Equal("admin", credentials!.AuthorizationId);
    }

    [Theory]
    [InlineData("bobpw")]
    [InlineData("\0bobpw")]
    [InlineData("\0\0pw")]
    [InlineData("\0bob\0")]
    [InlineData("\0bob\0pw\0x")]
    [InlineData("")]
    public void TryParseMessage_MalformedPlain_IsMalformed(string message)
    {
        Assert.Equal(SaslStatus.Malformed, SaslPlain.TryParseMessage(Encoding.UTF8.GetBytes(message), out var credentials));
        Assert.Null(credentials);
    }

    [Fact]
    public void TryParseMessage_InvalidUtf8_IsMalformed()
    {
        Assert.Equal(SaslStatus.Malformed, SaslPlain.TryParseMessage([0, (byte)'b', 0, 0xFF], out _));
    }

    [Fact]
    public void TryDecode_PlainNotBase64_IsInvalidBase64()
    {
        Assert.Equal(SaslStatus.InvalidBase64, SaslPlain.TryDecode("not base64!"u8, out _));
    }

    [Fact]
    public void EncodeInitialResponse_RoundTrips()
    {
        var encoded = SaslPlain.EncodeInitialResponse("b\u00f6b", "p w");

        Assert.Equal("AGLDtmIAcCB3", encoded);
        SaslPlain.TryDecode(Encoding.ASCII.GetBytes(encoded), out var credentials);
        Assert.Equal(("b\u00f6b", "p w"), (credentials!.UserName, credentials.Password));
    }

    [Fact]
    public void Login_ChallengesAreUsernameAndPassword()
    {
        Assert.Equal("Username:", Encoding.ASCII.GetString(Convert.FromBase64String(SaslLogin.UserNameChallenge)));
        Assert.Equal("Password:", Encoding.ASCII.GetString(Convert.FromBase64String(SaslLogin.PasswordChallenge)));
    }

    [Fact]
    public void TryDecodeResponse_Login_DecodesOrReportsKind()
    {
        Assert.Equal(SaslStatus.Success, SaslLogin.TryDecodeResponse("Ym9i"u8, out var user));
        Assert.Equal("bob", user);
        Assert.Equal(SaslStatus.InvalidBase64, SaslLogin.TryDecodeResponse("Ym9"u8, out _));
        Assert.Equal(SaslStatus.Malformed, SaslLogin.TryDecodeResponse("/w=="u8, out _));
        Assert.Equal(SaslStatus.Success, SaslLogin.TryDecodeInitialResponse("="u8, out var empty));
        Assert.Equal("", empty);
    }

    [Fact]
    public void ToString_PlainCredentials_NeverShowsPassword()
    {
        Assert.DoesNotContain("secret", new SaslPlainCredentials("", "bob", "secret").ToString());
    }
}
