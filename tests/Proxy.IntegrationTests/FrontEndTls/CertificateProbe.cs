using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>Waits, with real new connections, until the proxy hands out a certificate: how a reload shows to clients.</summary>
internal static class CertificateProbe
{
    public static readonly TimeSpan ReloadBound = TimeSpan.FromSeconds(20);

    /// <summary>Handshakes again and again until the certificate's subject is <c>CN = <paramref name="commonName"/></c>; fails after <see cref="ReloadBound"/>.</summary>
    public static async Task WaitForSubjectAsync(int port, MailProtocolKind protocol, bool implicitTls, string commonName, params string[] options)
    {
        var deadline = DateTime.UtcNow + ReloadBound;
        SClientHandshake handshake;
        do
        {
            handshake = await SClientHandshake.RunAsync(port, protocol, implicitTls, options);
            if (handshake.Subject == $"CN = {commonName}")
            {
                return;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"No new connection got CN = {commonName} within {ReloadBound.TotalSeconds:0} s; the last one: {handshake}");
    }

    public static async Task<string?> SubjectAsync(int port, MailProtocolKind protocol, bool implicitTls, params string[] options) =>
        (await SClientHandshake.RunAsync(port, protocol, implicitTls, options)).Subject;
}
