using System.Text.Json;
using MailKit.Net.Imap;
using MailKit.Security;
using Proxy.IntegrationTests.EndToEnd;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using static Proxy.IntegrationTests.Reload.ReloadFixture;
using static Proxy.IntegrationTests.Reload.ReloadSteps;

namespace Proxy.IntegrationTests.Reload;

/// <summary>
/// The executable as an operator runs it, reloaded with <c>kill -HUP</c>. File watching is
/// off (<c>Proxy:Reload:WatchFiles=false</c>), so only the signal can apply the edit.
/// </summary>
[Collection(ReloadCollection.Name)]
public sealed class SignalReloadTests(ReloadFixture fixture) : IDisposable
{
    private static readonly TimeSpan OutputTimeout = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("proxy-sighup-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Sighup_DirectoryEditedWithFileWatchOff_AppliedOnlyOnTheSignal()
    {
        var imapsPort = Ports.GetFreeTcpPort();
        var directoryFile = Path.Combine(_folder, "directory.json");
        await File.WriteAllTextAsync(directoryFile, ProxyUnderTest.DirectoryJson(fixture.Users));
        var topologyFile = Path.Combine(_folder, "topology.json");
        await File.WriteAllTextAsync(topologyFile, ProxyUnderTest.TopologyJson(fixture.Topology()));
        var configFile = Path.Combine(_folder, "proxy.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(new
        {
            Urls = $"http://127.0.0.1:{Ports.GetFreeTcpPort()}",
            Proxy = new
            {
                ServerName = "SIGHUP-PROXY",
                TopologyFile = topologyFile,
                DirectoryFile = directoryFile,
                Tls = new { CertificateFile = fixture.Pki.CertificatePath, KeyFile = fixture.Pki.KeyPath },
                Imap = new { Listeners = new[] { new { Address = "127.0.0.1", Port = imapsPort, ImplicitTls = true } } },
                Reload = new { WatchFiles = false },
            },
        }));

        // Started in its own folder, so the content root (and appsettings.json) is this test's.
        // SIGHUP restored to its default: a test run started under nohup hands "ignored" down to
        // every child, and .NET keeps a signal ignored at start ignored, handler or not.
        var host = Path.Combine(AppContext.BaseDirectory, "Proxy.Host.dll");
        await using var proxy = ExternalProcess.Start("/bin/sh", "-c", $"cd '{_folder}' && exec env --default-signal=HUP dotnet '{host}' --config '{configFile}'");
        await proxy.WaitForOutputAsync("[3001]", OutputTimeout);
        Assert.Equal(InstanceA, await ServedByAsync(imapsPort, Alice));

        await File.WriteAllTextAsync(directoryFile, ProxyUnderTest.DirectoryJson(
            fixture.Users.Select(u => u.UserPrincipalName == Alice ? u with { Disabled = true } : u)));
        Assert.Equal(InstanceA, await ServedByAsync(imapsPort, Alice));

        var (exitCode, _, error) = await ExternalProcess.RunAsync(TimeSpan.FromSeconds(10), "kill", "-HUP", proxy.Id.ToString());
        Assert.True(exitCode == 0, error);
        await proxy.WaitForOutputAsync("[3023] SIGHUP received", OutputTimeout);
        await proxy.WaitForOutputAsync("[3020] Configuration reloaded (SIGHUP): directory.", OutputTimeout);

        var refused = await Record.ExceptionAsync(() => ServedByAsync(imapsPort, Alice));
        Assert.True(refused is AuthenticationException, $"Alice was not refused ({refused}); the proxy printed:\n{proxy.StandardOutput}");
        Assert.Equal(InstanceA, await ServedByAsync(imapsPort, Grace));
    }

    private async Task<string> ServedByAsync(int port, string user)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate, Timeout = 15_000 };
        await client.ConnectAsync(DovecotBackend.Host, port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, Password);
        var servedBy = await ReloadSteps.ServedByAsync(client);
        await client.DisconnectAsync(true);
        return servedBy;
    }
}
