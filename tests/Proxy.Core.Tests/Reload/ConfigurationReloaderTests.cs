using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Core.Reload;
using Proxy.Core.Tests.Directory;

namespace Proxy.Core.Tests.Reload;

public sealed class ConfigurationReloaderTests : IDisposable
{
    private const int Reloaded = 3020;
    private const int Refused = 3021;
    private const int RestartRequired = 3022;
    private const int Unchanged = 3025;
    private const int FileChangeIgnored = 3026;

    private readonly ReloadHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Reload_ValidOptionChange_InForceAndReportedWithItsKey()
    {
        _harness.WriteSettings(new { Imap = new { AllowCrossSiteSessions = true } });

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.True(_harness.Options.CurrentValue.Imap.AllowCrossSiteSessions);
        Assert.Equal(["options (Proxy:Imap:AllowCrossSiteSessions)"], report.Changed);
        var (level, message) = Assert.Single(_harness.Events(Reloaded));
        Assert.Equal(LogLevel.Information, level);
        Assert.Equal("Configuration reloaded (SIGHUP): options (Proxy:Imap:AllowCrossSiteSessions).", message);
    }

    [Fact]
    public void Reload_InvalidOptionChange_RefusedWithKeysAndOldOptionsKept()
    {
        var before = _harness.Options.CurrentValue;
        _harness.WriteSettings(new { Imap = new { AllowCrossSiteSessions = true, MaxCommandSize = 1 } });

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Same(before, _harness.Options.CurrentValue);
        Assert.False(_harness.Options.CurrentValue.Imap.AllowCrossSiteSessions);
        Assert.Equal(["options"], report.Refused);
        var (level, message) = Assert.Single(_harness.Events(Refused));
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("refused the new options", message, StringComparison.Ordinal);
        Assert.Contains("Proxy:Imap:MaxCommandSize: 1 must be between 64 and 1048576 bytes", message, StringComparison.Ordinal);
        Assert.Empty(_harness.Events(Reloaded));
    }

    [Fact]
    public void Reload_AfterRefusal_FixedOptionsApplied()
    {
        _harness.WriteSettings(new { Imap = new { MaxCommandSize = 1 } });
        _harness.Reloader.Reload(ReloadTrigger.Signal);

        _harness.WriteSettings(new { Imap = new { MaxCommandSize = 2048 } });
        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.True(report.Succeeded);
        Assert.Equal(2048, _harness.Options.CurrentValue.Imap.MaxCommandSize);
    }

    [Fact]
    public void Reload_ListenerChanged_RestartWarnedListenerKeptOtherChangesApplied()
    {
        _harness.WriteSettings(new
        {
            Imap = new { LoginType = "PlainTextLogin", Listeners = new[] { new { Address = "127.0.0.1", Port = 1143 } } },
        });

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["Proxy:Imap:Listeners"], report.RestartRequired);
        Assert.Empty(_harness.Options.CurrentValue.Imap.Listeners);
        Assert.Equal(LoginType.PlainTextLogin, _harness.Options.CurrentValue.Imap.LoginType);
        var (level, message) = Assert.Single(_harness.Events(RestartRequired));
        Assert.Equal(LogLevel.Warning, level);
        Assert.StartsWith("Proxy:Imap:Listeners changed", message, StringComparison.Ordinal);
        Assert.Equal(["options (Proxy:Imap:LoginType)"], report.Changed);
    }

    [Fact]
    public void Reload_TlsSettingChanged_RestartWarnedRunningTlsSettingsKept()
    {
        _harness.WriteSettings(new { Tls = new { ExpiryWarningDays = 30 } });

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["Proxy:Tls"], report.RestartRequired);
        Assert.Empty(report.Changed);
        Assert.Equal(new FrontEndTlsOptions().ExpiryWarningDays, _harness.Options.CurrentValue.Tls.ExpiryWarningDays);
    }

    [Fact]
    public void Reload_RestartOnlyAndLiveKeyOfOneSection_LiveKeyAppliedOtherWarned()
    {
        _harness.WriteSettings(new { PasswordVerification = new { MaxConcurrency = 3, QueueTimeout = "00:00:02" } });

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["options (Proxy:PasswordVerification:QueueTimeout)"], report.Changed);
        Assert.Equal(["Proxy:PasswordVerification:MaxConcurrency"], report.RestartRequired);
        Assert.Equal(TimeSpan.FromSeconds(2), _harness.Options.CurrentValue.PasswordVerification.QueueTimeout);
        Assert.Equal(0, _harness.Options.CurrentValue.PasswordVerification.MaxConcurrency);
    }

    [Fact]
    public void Reload_HostRestartOnlySettingChanged_Warned()
    {
        using var harness = new ReloadHarness([new ChangedSetting("Urls")]);

        var report = harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["Urls"], report.RestartRequired);
        Assert.StartsWith("Urls changed", Assert.Single(harness.Events(RestartRequired)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_SettingsFileNotValidJson_NothingAppliedAndTheFileNamed()
    {
        var before = _harness.Options.CurrentValue;
        _harness.WriteSettingsText("""{ "Proxy": { "Imap": { "AllowCrossSiteSessions": true } """);
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["configuration files"], report.Refused);
        Assert.Same(before, _harness.Options.CurrentValue);
        Assert.Equal("MBX1", _harness.Topology.Current.Databases["DB1"].ServerName);
        var message = Assert.Single(_harness.Events(Refused)).Message;
        Assert.Contains(_harness.SettingsFile, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_SettingsFileDeleted_NothingAppliedAndTheFileNamed()
    {
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";
        File.Delete(_harness.SettingsFile);

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal([$"{_harness.SettingsFile}: missing"], report.Errors);
        Assert.Equal("MBX1", _harness.Topology.Current.Databases["DB1"].ServerName);
    }

    [Fact]
    public void Reload_SettingsFileFixed_AppliedAgain()
    {
        _harness.WriteSettingsText("{ broken");
        _harness.Reloader.Reload(ReloadTrigger.Signal);

        _harness.WriteSettings(new { Imap = new { AllowCrossSiteSessions = true } });
        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.True(report.Succeeded);
        Assert.True(_harness.Options.CurrentValue.Imap.AllowCrossSiteSessions);
    }

    [Fact]
    public void Reload_DatabaseMovedInTopology_NewServerInForce()
    {
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["topology"], report.Changed);
        Assert.Equal("MBX2", _harness.Topology.Current.Databases["DB1"].ServerName);
        Assert.Equal("Configuration reloaded (SIGHUP): topology.", Assert.Single(_harness.Events(Reloaded)).Message);
    }

    [Fact]
    public void Reload_InvalidTopology_RefusedWithKeyAndOldTopologyKept()
    {
        var before = _harness.Topology.Current;
        _harness.Configuration["Topology:Databases:0:Server"] = "NOWHERE";

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Same(before, _harness.Topology.Current);
        Assert.Equal(["topology"], report.Refused);
        Assert.Contains("Topology:Databases[0]:Server: no server named 'NOWHERE'", Assert.Single(_harness.Events(Refused)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_InvalidOptionsValidTopology_EachPartDecidedOnItsOwn()
    {
        _harness.WriteSettings(new { Imap = new { MaxCommandSize = 1 } });
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["topology"], report.Changed);
        Assert.Equal(["options"], report.Refused);
        Assert.Single(_harness.Events(Reloaded));
        Assert.Single(_harness.Events(Refused));
    }

    [Fact]
    public async Task Reload_UserAdded_NewUserCanLogIn()
    {
        Assert.Equal(DirectoryOutcome.InvalidCredentials, (await _harness.LoginAsync("bob", "bob-pw")).Outcome);

        _harness.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Bob());
        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["directory"], report.Changed);
        Assert.Equal(DirectoryOutcome.Success, (await _harness.LoginAsync("bob", "bob-pw")).Outcome);
        Assert.Equal("Configuration reloaded (SIGHUP): directory.", Assert.Single(_harness.Events(Reloaded)).Message);
    }

    [Fact]
    public async Task Reload_UserRemoved_CachedSuccessNoLongerLetsThemIn()
    {
        _harness.WriteUsers(DirectoryFixture.Alice(), DirectoryFixture.Bob());
        _harness.Reloader.Reload(ReloadTrigger.Signal);
        Assert.Equal(DirectoryOutcome.Success, (await _harness.LoginAsync("bob", "bob-pw")).Outcome);

        _harness.WriteUsers(DirectoryFixture.Alice());
        _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(DirectoryOutcome.InvalidCredentials, (await _harness.LoginAsync("bob", "bob-pw")).Outcome);
    }

    [Fact]
    public async Task Reload_PasswordChanged_OldPasswordRefusedDespiteCacheNewAccepted()
    {
        Assert.Equal(DirectoryOutcome.Success, (await _harness.LoginAsync("alice", "alice-pw")).Outcome);

        _harness.WriteUsers(DirectoryFixture.Alice(hash: PasswordHasher.Hash("new-pw", DirectoryFixture.Iterations)));
        _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(DirectoryOutcome.InvalidCredentials, (await _harness.LoginAsync("alice", "alice-pw")).Outcome);
        Assert.Equal(DirectoryOutcome.Success, (await _harness.LoginAsync("alice", "new-pw")).Outcome);
    }

    [Fact]
    public async Task Reload_AccountDisabled_CachedSuccessNoLongerLetsThemIn()
    {
        Assert.Equal(DirectoryOutcome.Success, (await _harness.LoginAsync("alice", "alice-pw")).Outcome);

        _harness.WriteUsers(DirectoryFixture.Alice(disabled: true));
        _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(DirectoryOutcome.Disabled, (await _harness.LoginAsync("alice", "alice-pw")).Outcome);
    }

    [Fact]
    public async Task Reload_InvalidDirectoryFile_RefusedWithKeyAndOldUsersKept()
    {
        _harness.WriteDirectoryText("""{ "Users": [ { "UserPrincipalName": "alice@contoso.lab", "Database": "DB2013" } ] }""");

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal(["directory"], report.Refused);
        Assert.Equal(DirectoryOutcome.Success, (await _harness.LoginAsync("alice", "alice-pw")).Outcome);
        Assert.Contains("Users[0].PasswordHash: missing", Assert.Single(_harness.Events(Refused)).Message, StringComparison.Ordinal);
        Assert.Single(_harness.DirectoryEvents(3215));
    }

    [Fact]
    public void Reload_DirectoryFileRewrittenUnchanged_NotReportedAsChangedNorReloggedAsLoaded()
    {
        var loadedBefore = _harness.DirectoryEvents(3206).Count();
        _harness.WriteUsers(DirectoryFixture.Alice());

        var report = _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Empty(report.Changed);
        Assert.Equal(loadedBefore, _harness.DirectoryEvents(3206).Count());
        Assert.Equal("Configuration reloaded (SIGHUP): nothing changed.", Assert.Single(_harness.Events(Reloaded)).Message);
    }

    [Fact]
    public void FileChange_AppliedOnlyAfterTheFilesSettle()
    {
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";

        // Two provider reloads in a burst, as an editor's save gives.
        _harness.Configuration.Reload();
        _harness.Time.Advance(ReloadHarness.SettleDelay / 2);
        _harness.Configuration.Reload();
        _harness.Time.Advance(ReloadHarness.SettleDelay / 2);
        Assert.Equal("MBX1", _harness.Topology.Current.Databases["DB1"].ServerName);

        _harness.Time.Advance(ReloadHarness.SettleDelay / 2);

        Assert.Equal("MBX2", _harness.Topology.Current.Databases["DB1"].ServerName);
        Assert.Equal("Configuration reloaded (file change): topology.", Assert.Single(_harness.Events(Reloaded)).Message);
    }

    [Fact]
    public void FileChange_NothingChanged_OnlyDebugEvent()
    {
        _harness.Configuration.Reload();
        _harness.Time.Advance(ReloadHarness.SettleDelay);

        Assert.Empty(_harness.Events(Reloaded));
        Assert.Equal(LogLevel.Debug, Assert.Single(_harness.Events(Unchanged)).Level);
    }

    [Fact]
    public void FileChange_WatchFilesOff_WaitsForSignal()
    {
        _harness.WriteSettings(new { Reload = new { WatchFiles = false } });
        _harness.Reloader.Reload(ReloadTrigger.Signal);
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";

        _harness.Configuration.Reload();
        _harness.Time.Advance(ReloadHarness.SettleDelay * 2);
        Assert.Equal("MBX1", _harness.Topology.Current.Databases["DB1"].ServerName);
        Assert.NotEmpty(_harness.Events(FileChangeIgnored));

        _harness.Reloader.Reload(ReloadTrigger.Signal);

        Assert.Equal("MBX2", _harness.Topology.Current.Databases["DB1"].ServerName);
    }

    [Fact]
    public void FileChange_AfterStop_NotApplied()
    {
        _harness.Reloader.Dispose();
        _harness.Configuration["Topology:Databases:0:Server"] = "MBX2";

        _harness.Configuration.Reload();
        _harness.Time.Advance(ReloadHarness.SettleDelay * 2);

        Assert.Equal("MBX1", _harness.Topology.Current.Databases["DB1"].ServerName);
    }

    private sealed class ChangedSetting(string key) : IRestartOnlySetting
    {
        public string Key => key;

        public bool HasChanged() => true;
    }
}
