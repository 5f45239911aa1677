using Proxy.Core.Directory;

namespace Proxy.Core.Tests.Directory;

public sealed class FileUserDirectoryTests : IDisposable
{
    private readonly DirectoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("alice@contoso.lab")]
    [InlineData("ALICE@Contoso.LAB")]
    [InlineData("alice")]
    [InlineData("Alice")]
    [InlineData("ali")]
    [InlineData("ALI")]
    [InlineData(@"CONTOSO\alice")]
    [InlineData(@"contoso\Ali")]
    public async Task AuthenticateAsync_EveryLoginNameForm_ReturnsCanonicalUser(string loginName)
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Bob());
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync(loginName, "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryOutcome.Success, result.Outcome);
        Assert.Equal(new MailboxUser("alice@contoso.lab", "DB2013", false), result.User);
    }

    [Theory]
    [InlineData(@"FABRIKAM\alice")]
    [InlineData(@"\alice")]
    [InlineData(@"CONTOSO\alice@contoso.lab")]
    [InlineData("ali@contoso.lab")]
    [InlineData("alice@fabrikam.lab")]
    [InlineData("alice@")]
    [InlineData("")]
    [InlineData("carol")]
    public async Task AuthenticateAsync_NameNotInDirectory_InvalidAfterOneDummyCheck(string loginName)
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync(loginName, "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryResult.Invalid, result);
        var check = Assert.Single(_fixture.VerifiedHashes);
        Assert.NotEqual(DirectoryFixture.AlicePasswordHash, check);
        Assert.StartsWith($"$pbkdf2-sha256$i={DirectoryFixture.Iterations}$", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_NetBiosFormWithoutNetBiosDomainInFile_Invalid()
    {
        _fixture.Write($$"""{ "Users": [ { "UserPrincipalName": "alice@contoso.lab", "PasswordHash": "{{DirectoryFixture.AlicePasswordHash}}", "Database": "DB" } ] }""");
        var directory = _fixture.Create();

        Assert.Equal(DirectoryOutcome.Success, (await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None)).Outcome);
        Assert.Equal(DirectoryOutcome.InvalidCredentials, (await directory.AuthenticateAsync(@"CONTOSO\alice", "alice-pw", CancellationToken.None)).Outcome);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("ALICE-PW")]
    [InlineData("")]
    [InlineData("bob-pw")]
    public async Task AuthenticateAsync_WrongPassword_Invalid(string password)
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Bob());
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync("alice", password, CancellationToken.None);

        Assert.Equal(DirectoryResult.Invalid, result);
    }

    [Theory]
    [InlineData("alice\r\n")]
    [InlineData("ali\0ce")]
    [InlineData("\u0085alice")]
    [InlineData("alice\u007f")]
    public async Task AuthenticateAsync_ControlCharacterInName_InvalidWithoutPasswordCheck(string loginName)
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync(loginName, "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryResult.Invalid, result);
        Assert.Empty(_fixture.VerifiedHashes);
        Assert.DoesNotContain(_fixture.Logger.Entries, e => e.Message.Contains(loginName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthenticateAsync_DisabledWithRightPassword_Disabled()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(disabled: true));
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryOutcome.Disabled, result.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_DisabledWithWrongPassword_Invalid()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(disabled: true));
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync("alice", "wrong", CancellationToken.None);

        Assert.Equal(DirectoryResult.Invalid, result);
    }

    [Fact]
    public async Task AuthenticateAsync_PrivilegedUser_FlagCarried()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Admin());
        var directory = _fixture.Create();

        var result = await directory.AuthenticateAsync(@"contoso\administrator", "admin-pw", CancellationToken.None);

        Assert.Equal(new MailboxUser("Administrator@contoso.lab", "DB2013", true), result.User);
    }

    [Fact]
    public async Task AuthenticateAsync_Failures_NeverLogThePassword()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        await directory.AuthenticateAsync("alice", "Sup3r-Secret", CancellationToken.None);
        await directory.AuthenticateAsync("nobody", "Sup3r-Secret", CancellationToken.None);

        Assert.NotEmpty(_fixture.Logger.Entries);
        Assert.DoesNotContain(_fixture.Logger.Entries, e => e.Message.Contains("Sup3r-Secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthenticateAsync_MalformedHash_LoadsLogsOnceAndRefuses()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(hash: "alice-pw"), DirectoryFixture.Bob());
        var directory = _fixture.Create();

        var alice = await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);
        var bob = await directory.AuthenticateAsync("bob", "bob-pw", CancellationToken.None);

        Assert.Equal(DirectoryResult.Invalid, alice);
        Assert.Equal(DirectoryOutcome.Success, bob.Outcome);
        var logged = Assert.Single(_fixture.LogEntries(3210));
        Assert.Contains("alice@contoso.lab", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_SecondSuccessWithinTtl_SkipsPasswordCheck()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromMinutes(4));
        var second = await directory.AuthenticateAsync("ALI", "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryOutcome.Success, second.Outcome);
        Assert.Single(_fixture.VerifiedHashes);
    }

    [Fact]
    public async Task AuthenticateAsync_CachedUserWrongPassword_ChecksAndRefuses()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);
        var wrong = await directory.AuthenticateAsync("alice", "guess", CancellationToken.None);
        var wrongAgain = await directory.AuthenticateAsync("alice", "guess", CancellationToken.None);

        Assert.Equal(DirectoryResult.Invalid, wrong);
        Assert.Equal(DirectoryResult.Invalid, wrongAgain);
        Assert.Equal(3, _fixture.VerifiedHashes.Count);
    }

    [Fact]
    public async Task AuthenticateAsync_AfterTtl_ChecksPasswordAgain()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);
        _fixture.Time.Advance(FileUserDirectory.DefaultSuccessCacheTimeToLive);
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Equal(2, _fixture.VerifiedHashes.Count);
    }

    [Fact]
    public async Task AuthenticateAsync_CacheDisabled_ChecksEveryTime()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create(cacheTimeToLive: TimeSpan.Zero);

        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Equal(2, _fixture.VerifiedHashes.Count);
    }

    [Fact]
    public async Task Reload_ChangedUser_InvalidatesCachedSuccess()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        _fixture.WriteUsers(DirectoryFixture.Alice(disabled: true));
        directory.Reload();
        var result = await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Equal(DirectoryOutcome.Disabled, result.Outcome);
        Assert.Equal(2, _fixture.VerifiedHashes.Count);
    }

    [Fact]
    public async Task Reload_MovedMailbox_ReturnsNewDatabase()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice(database: "DB2010"));
        var directory = _fixture.Create();
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        _fixture.WriteUsers(DirectoryFixture.Alice(database: "DB2013"));
        directory.Reload();
        var result = await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Equal("DB2013", result.User!.Database);
        Assert.Equal(2, _fixture.VerifiedHashes.Count);
    }

    [Fact]
    public async Task Reload_NewPassword_OldPasswordRefused()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        _fixture.WriteUsers(DirectoryFixture.Alice(hash: PasswordHasher.Hash("new-pw", DirectoryFixture.Iterations)));
        directory.Reload();

        Assert.Equal(DirectoryResult.Invalid, await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None));
        Assert.Equal(DirectoryOutcome.Success, (await directory.AuthenticateAsync("alice", "new-pw", CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Reload_UnchangedUser_KeepsCachedSuccess()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        _fixture.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Bob());
        directory.Reload();
        await directory.AuthenticateAsync("alice", "alice-pw", CancellationToken.None);

        Assert.Single(_fixture.VerifiedHashes);
    }

    [Fact]
    public async Task Reload_InvalidFile_ThrowsAndKeepsPreviousUsers()
    {
        _fixture.WriteUsers(DirectoryFixture.Alice());
        var directory = _fixture.Create();

        _fixture.Write("""{ "Users": [ { "UserPrincipalName": "alice@contoso.lab" } ] }""");
        var error = Assert.Throws<DirectoryFileException>(() => directory.Reload());
        var result = await directory.AuthenticateAsync("ali", "alice-pw", CancellationToken.None);

        Assert.Contains("Users[0].PasswordHash: missing", error.Errors);
        Assert.Equal(DirectoryOutcome.Success, result.Outcome);
        Assert.Single(_fixture.LogEntries(3215));
    }
}
