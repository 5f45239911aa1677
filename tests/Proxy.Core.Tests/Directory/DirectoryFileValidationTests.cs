using Proxy.Core.Directory;

namespace Proxy.Core.Tests.Directory;

/// <summary>What an operator reads when the directory file is wrong: every problem, each naming its key.</summary>
public sealed class DirectoryFileValidationTests : IDisposable
{
    private static readonly string Hash = DirectoryFixture.AlicePasswordHash;

    private readonly DirectoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Load_AliasSharedByTwoUsers_RejectedNamingTheAlias()
    {
        var error = _fixture.LoadFails($$"""
            { "Users": [
              { "UserPrincipalName": "alice@contoso.lab", "Aliases": ["ali", "sales"], "PasswordHash": "{{Hash}}", "Database": "DB" },
              { "UserPrincipalName": "alfred@contoso.lab", "Aliases": ["Sales"], "PasswordHash": "{{Hash}}", "Database": "DB" }
            ] }
            """);

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("Users[1].Aliases[0]: alias 'Sales' is ambiguous", message, StringComparison.Ordinal);
        Assert.Contains("Users[0] (alice@contoso.lab)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasEqualToAnotherUsersLocalPart_Rejected()
    {
        var error = _fixture.LoadFails($$"""
            { "Users": [
              { "UserPrincipalName": "alice@contoso.lab", "PasswordHash": "{{Hash}}", "Database": "DB" },
              { "UserPrincipalName": "alfred@contoso.lab", "Aliases": ["ALICE"], "PasswordHash": "{{Hash}}", "Database": "DB" }
            ] }
            """);

        Assert.StartsWith("Users[1].Aliases[0]: alias 'ALICE' is ambiguous", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameLocalPartInTwoDomains_RejectedNamingTheAlias()
    {
        var error = _fixture.LoadFails($$"""
            { "Users": [
              { "UserPrincipalName": "alice@contoso.lab", "PasswordHash": "{{Hash}}", "Database": "DB" },
              { "UserPrincipalName": "alice@fabrikam.lab", "PasswordHash": "{{Hash}}", "Database": "DB" }
            ] }
            """);

        Assert.StartsWith("Users[1].UserPrincipalName: alias 'alice' is ambiguous", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OwnLocalPartRepeatedInAliases_Accepted()
    {
        _fixture.Write($$"""{ "Users": [ { "UserPrincipalName": "alice@contoso.lab", "Aliases": ["Alice", "ali", "ali"], "PasswordHash": "{{Hash}}", "Database": "DB" } ] }""");

        _fixture.Create();
    }

    [Fact]
    public void Load_DuplicateUpn_Rejected()
    {
        var error = _fixture.LoadFails($$"""
            { "Users": [
              { "UserPrincipalName": "alice@contoso.lab", "PasswordHash": "{{Hash}}", "Database": "DB" },
              { "UserPrincipalName": "Alice@Contoso.lab", "PasswordHash": "{{Hash}}", "Database": "DB" }
            ] }
            """);

        Assert.Contains("Users[1].UserPrincipalName: 'Alice@Contoso.lab' is also Users[0]", error.Errors);
    }

    [Fact]
    public void Load_SeveralProblems_AllReportedWithTheirKeys()
    {
        var error = _fixture.LoadFails($$"""
            { "NetBiosDomain": "CONTOSO", "Users": [
              { "UserPrincipalName": "alice@contoso.lab", "PasswordHash": "{{Hash}}", "Database": "DB" },
              { "UserPrincipalName": "bob@contoso.lab", "PasswordHash": "{{Hash}}" },
              { "PasswordHash": "{{Hash}}", "Database": "DB" },
              { "UserPrincipalName": "carol@contoso.lab", "PasswordHash": "{{Hash}}", "Database": "  " },
              { "UserPrincipalName": "dave@contoso.lab", "Database": "DB", "Privileged": "yes", "Disabled": 1 },
              { "UserPrincipalName": "eve@contoso.lab", "PasswordHash": "{{Hash}}", "Databse": "DB" }
            ] }
            """);

        Assert.Equal(
            [
                "Users[1].Database: missing",
                "Users[2].UserPrincipalName: missing",
                "Users[3].Database: empty",
                "Users[4].PasswordHash: missing",
                "Users[4].Privileged: expected true or false",
                "Users[4].Disabled: expected true or false",
                "Users[5].Databse: unknown key (expected one of UserPrincipalName, Aliases, PasswordHash, Database, Privileged, Disabled)",
                "Users[5].Database: missing",
            ],
            error.Errors);
        Assert.Contains("Users[3].Database: empty", error.Message, StringComparison.Ordinal);
        Assert.Contains(_fixture.FilePath, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("@contoso.lab")]
    [InlineData("alice@")]
    [InlineData("alice@contoso@lab")]
    [InlineData("al ice@contoso.lab")]
    [InlineData("CONTOSO\\\\alice@contoso.lab")]
    [InlineData("alice\\u0000@contoso.lab")]
    public void Load_MalformedUpn_Rejected(string upn)
    {
        var error = _fixture.LoadFails($$"""{ "Users": [ { "UserPrincipalName": "{{upn}}", "PasswordHash": "{{Hash}}", "Database": "DB" } ] }""");

        Assert.StartsWith("Users[0].UserPrincipalName: ", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"ali@contoso\"")]
    [InlineData("\"CONTOSO\\\\ali\"")]
    [InlineData("\"a li\"")]
    [InlineData("42")]
    public void Load_MalformedAlias_Rejected(string alias)
    {
        var error = _fixture.LoadFails($$"""{ "Users": [ { "UserPrincipalName": "alice@contoso.lab", "Aliases": [{{alias}}], "PasswordHash": "{{Hash}}", "Database": "DB" } ] }""");

        Assert.StartsWith("Users[0].Aliases[0]: ", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasesNotAnArray_Rejected()
    {
        var error = _fixture.LoadFails($$"""{ "Users": [ { "UserPrincipalName": "alice@contoso.lab", "Aliases": "ali", "PasswordHash": "{{Hash}}", "Database": "DB" } ] }""");

        Assert.Equal(["Users[0].Aliases: expected an array of names"], error.Errors);
    }

    [Theory]
    [InlineData("""{ "NetBiosDomain": "CONTOSO" }""", "Users: missing")]
    [InlineData("""{ "Users": {} }""", "Users: expected an array")]
    [InlineData("""{ "Users": [ "alice" ] }""", "Users[0]: expected an object")]
    [InlineData("""[]""", "(root): expected an object with NetBiosDomain and Users")]
    [InlineData("""{ "NetBiosDomain": "CON TOSO", "Users": [] }""", "NetBiosDomain: 'CON TOSO' is not a domain name (no spaces, '@', '\\' or control characters)")]
    [InlineData("""{ "NetBiosDomain": 7, "Users": [] }""", "NetBiosDomain: expected a string")]
    [InlineData("""{ "Domain": "CONTOSO", "Users": [] }""", "Domain: unknown key (expected one of NetBiosDomain, Users)")]
    public void Load_MalformedRoot_Rejected(string json, string expected)
    {
        var error = _fixture.LoadFails(json);

        Assert.Equal([expected], error.Errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{ \"Users\": [ ")]
    [InlineData("not json")]
    public void Load_NotJson_RejectedAsNotValidJson(string text)
    {
        var error = _fixture.LoadFails(text);

        Assert.StartsWith("not valid JSON", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CommentsTrailingCommasAndAnyKeyCase_Accepted()
    {
        _fixture.Write($$"""
            {
              // The lab's users.
              "netbiosdomain": "CONTOSO",
              "users": [ { "userPrincipalName": "alice@contoso.lab", "passwordHash": "{{Hash}}", "database": "DB", }, ],
            }
            """);

        _fixture.Create();
    }

    [Fact]
    public void Load_MissingFile_RejectedNamingThePath()
    {
        File.Delete(_fixture.FilePath);

        var error = Assert.Throws<DirectoryFileException>(() => _fixture.Create());

        Assert.StartsWith("cannot be read", Assert.Single(error.Errors), StringComparison.Ordinal);
        Assert.Equal(_fixture.FilePath, error.Path);
    }

    [Fact]
    public void Load_ValidFile_LogsUserCount()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Bob());

        _fixture.Create();

        Assert.Contains("Loaded 2 users", Assert.Single(_fixture.LogEntries(3206)).Message, StringComparison.Ordinal);
    }
}
