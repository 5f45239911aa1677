using MailKit.Security;
using static Proxy.IntegrationTests.Reload.ReloadFixture;
using static Proxy.IntegrationTests.Reload.ReloadSteps;

namespace Proxy.IntegrationTests.Reload;

/// <summary>Policy settings edited in appsettings.json apply to the next login; invalid ones are refused.</summary>
[Collection(ReloadCollection.Name)]
public sealed class OptionsReloadTests(ReloadFixture fixture)
{
    [Fact]
    public async Task OptionsEdit_CrossSiteSessionsAllowed_NextLoginToOtherSiteAccepted()
    {
        await using var proxy = await fixture.StartProxyAsync();
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => ServedByAsync(proxy, fixture.Pki, Dave));
        Assert.Contains("another site", refused.Message);

        await WriteAppSettingsAsync(proxy, new { Imap = new { AllowCrossSiteSessions = true } });
        await WaitForEventAsync(proxy.Logs, Reloaded, "options (Proxy:Imap:AllowCrossSiteSessions)");

        Assert.Equal(InstanceB, await ServedByAsync(proxy, fixture.Pki, Dave));
    }

    [Fact]
    public async Task OptionsEdit_InvalidValue_RefusedWithKeyAndPreviousOptionsStayInForce()
    {
        await using var proxy = await fixture.StartProxyAsync();
        await WriteAppSettingsAsync(proxy, new { Imap = new { AllowCrossSiteSessions = true } });
        await WaitForEventAsync(proxy.Logs, Reloaded, "Proxy:Imap:AllowCrossSiteSessions");

        // Also turns cross-site sessions off: the refusal must keep them on.
        await WriteAppSettingsAsync(proxy, new { Imap = new { AllowCrossSiteSessions = false, MaxCommandSize = 1 } });
        var refusal = await WaitForEventAsync(proxy.Logs, Refused, "Proxy:Imap:MaxCommandSize: 1 must be between 64 and 1048576 bytes");

        Assert.Contains("the new options", refusal.Message);
        Assert.Equal(InstanceB, await ServedByAsync(proxy, fixture.Pki, Dave));
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Alice));
    }

    [Fact]
    public async Task OptionsEdit_ListenerChanged_RestartWarnedAndTheRunningListenerServes()
    {
        await using var proxy = await fixture.StartProxyAsync();

        // The test's own settings hold listeners 0 and 1 (and win); a third one is new.
        var listeners = new[] { 1, 2, 3 }.Select(port => new { Address = "127.0.0.1", Port = port });
        await WriteAppSettingsAsync(proxy, new { Pop3 = new { Listeners = listeners } });
        var warning = await WaitForEventAsync(proxy.Logs, 3022, "Proxy:Pop3:Listeners");

        Assert.Contains("until the proxy is restarted", warning.Message);
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Alice));
    }

    [Fact]
    public async Task UrlsEdit_RestartWarnedAndHealthStillAnswersOnTheRunningPort()
    {
        await using var proxy = await fixture.StartProxyAsync();

        await File.WriteAllTextAsync(Path.Combine(proxy.ContentRoot, "appsettings.json"), """{ "Urls": "http://127.0.0.1:1" }""");
        await WaitForEventAsync(proxy.Logs, 3022, "Urls changed");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Contains("Healthy", await http.GetStringAsync($"http://127.0.0.1:{proxy.HttpPort}/health"));
    }
}
