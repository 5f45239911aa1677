using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using static Proxy.IntegrationTests.Reload.ReloadFixture;
using static Proxy.IntegrationTests.Reload.ReloadSteps;

namespace Proxy.IntegrationTests.Reload;

/// <summary>The directory file is watched on its own: user edits apply to the next login.</summary>
[Collection(ReloadCollection.Name)]
public sealed class DirectoryReloadTests(ReloadFixture fixture)
{
    [Fact]
    public async Task DirectoryEdit_PasswordChanged_OldPasswordRefusedNewOneAccepted()
    {
        const string newPassword = "N3w-passw0rd!";
        await using var proxy = await fixture.StartProxyAsync();
        // A success now is cached by the proxy: the change must still apply at once.
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Grace));

        // The password changes everywhere, as it would in the organisation's account store.
        await SetBackendPasswordAsync(fixture.ServerA, newPassword);
        try
        {
            await File.WriteAllTextAsync(proxy.DirectoryFile, ProxyUnderTest.DirectoryJson(
                fixture.Users.Select(u => u.UserPrincipalName == Grace ? u with { Password = newPassword } : u)));
            await WaitForEventAsync(proxy.Logs, Reloaded, "(file change): directory");

            await Assert.ThrowsAsync<AuthenticationException>(() => ServedByAsync(proxy, fixture.Pki, Grace, Password));
            Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Grace, newPassword));
        }
        finally
        {
            await SetBackendPasswordAsync(fixture.ServerA, Password);
        }
    }

    [Fact]
    public async Task DirectoryEdit_MailboxMovedToAnotherDatabase_NextLoginOnThatDatabasesServer()
    {
        await using var proxy = await fixture.StartProxyAsync();
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Alice));

        await ReplaceFileAsync(proxy.DirectoryFile, ProxyUnderTest.DirectoryJson(
            fixture.Users.Select(u => u.UserPrincipalName == Alice ? u with { Database = "DB2" } : u)));
        await WaitForEventAsync(proxy.Logs, Reloaded, "directory");

        Assert.Equal(InstanceB, await ServedByAsync(proxy, fixture.Pki, Alice));
    }

    [Fact]
    public async Task DirectoryEdit_InvalidFile_RefusedWithKeyAndOldUsersLogIn()
    {
        await using var proxy = await fixture.StartProxyAsync();

        await File.WriteAllTextAsync(proxy.DirectoryFile, $$"""{ "Users": [ { "UserPrincipalName": "{{Alice}}", "Database": "DB1" } ] }""");
        var refusal = await WaitForEventAsync(proxy.Logs, Refused, "Users[0].PasswordHash: missing");

        Assert.Contains(proxy.DirectoryFile, refusal.Message);
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Alice));
    }

    /// <summary>Dovecot re-reads its passwd-file when the file changes.</summary>
    private Task SetBackendPasswordAsync(DovecotBackend backend, string gracePassword) =>
        File.WriteAllTextAsync(Path.Combine(backend.DirectoryPath, "passwd"), DovecotConfig.RenderPasswd(
        [
            new DovecotUser(Alice, Password, "DB1"),
            new DovecotUser(Grace, gracePassword, "DB1"),
        ]));
}
