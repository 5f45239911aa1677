using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>A ~20 MB message crosses the relay byte for byte: the same bytes as fetched straight from the backend.</summary>
[Collection(LabCollection.Name)]
public sealed class LargeMessageTests(LabFixture lab)
{
    [Fact]
    public async Task ImapFetch_LargeMessage_SameBytesAsFromTheBackend()
    {
        var throughProxy = await FetchLastImapAsync(lab.Proxy.ImapsPort);
        var direct = await FetchLastImapAsync(lab.Mbx2013.ImapSslPort);

        AssertLargeMessage(throughProxy);
        Assert.Equal(direct.Length, throughProxy.Length);
        Assert.Equal(SHA256.HashData(direct), SHA256.HashData(throughProxy));
    }

    [Fact]
    public async Task Pop3Retr_LargeMessage_SameBytesAsFromTheBackend()
    {
        var throughProxy = await RetrieveLastPop3Async(lab.Proxy.Pop3sPort);
        var direct = await RetrieveLastPop3Async(lab.Mbx2013.Pop3SslPort);

        AssertLargeMessage(throughProxy);
        Assert.Equal(direct.Length, throughProxy.Length);
        Assert.Equal(SHA256.HashData(direct), SHA256.HashData(throughProxy));
    }

    /// <summary>The fixture wrote numbered 72-character lines (see Maildir), the last of them whole.</summary>
    private static void AssertLargeMessage(byte[] message)
    {
        Assert.True(message.Length >= LargeMessageBytes, $"{message.Length} bytes");
        var text = Encoding.ASCII.GetString(message);
        Assert.Contains($"Subject: Large message of {LargeMessageBytes} bytes\r\n", text);
        var lastLine = text.TrimEnd('\r', '\n')[(text.TrimEnd('\r', '\n').LastIndexOf('\n') + 1)..];
        var lines = LargeMessageBytes / 72 + (LargeMessageBytes % 72 == 0 ? 0 : 1);
        Assert.Equal($"{lines - 1:D10} {new string('x', 60)}", lastLine);
    }

    private async Task<byte[]> FetchLastImapAsync(int port)
    {
        using var client = await ConnectImapAsync(lab.Pki, port, SecureSocketOptions.SslOnConnect);
        client.Timeout = 60_000;
        await client.AuthenticateAsync(Big, Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        using var message = await client.Inbox.GetStreamAsync(client.Inbox.Count - 1, "");
        var bytes = await ReadAllAsync(message);
        await client.DisconnectAsync(quit: true);
        return bytes;
    }

    private async Task<byte[]> RetrieveLastPop3Async(int port)
    {
        using var client = await ConnectPop3Async(lab.Pki, port, SecureSocketOptions.SslOnConnect);
        client.Timeout = 60_000;
        await client.AuthenticateAsync(Big, Password);
        using var message = await client.GetStreamAsync(client.Count - 1);
        var bytes = await ReadAllAsync(message);
        await client.DisconnectAsync(quit: true);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
