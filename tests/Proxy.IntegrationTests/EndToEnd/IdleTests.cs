using MailKit;
using MailKit.Security;
using MimeKit;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>IDLE is relayed both ways: the server's untagged EXISTS reaches the idling client.</summary>
[Collection(LabCollection.Name)]
public sealed class IdleTests(LabFixture lab)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(Listener.ImplicitTls)]
    [InlineData(Listener.StartTls)]
    public async Task Idle_MessageAppendedByAnotherConnection_IdlingClientSeesCountChange(Listener listener)
    {
        var transcript = new ServerTranscript();
        using var watcher = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapPort(listener), Security(listener), transcript);
        await watcher.AuthenticateAsync(Frank, Password);
        await watcher.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var countBefore = watcher.Inbox.Count;
        var countChanged = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Inbox.CountChanged += (_, _) => countChanged.TrySetResult(watcher.Inbox.Count);

        using var done = new CancellationTokenSource();
        var idle = watcher.IdleAsync(done.Token);
        try
        {
            // Append only once the server has answered "+ idling", so the news must arrive during IDLE.
            await transcript.WaitForAsync("+ idling", Bound);
            using (var writer = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
            {
                await writer.AuthenticateAsync(Frank, Password);
                await writer.Inbox.AppendAsync(new MimeMessage(
                    [new MailboxAddress("Lab", "postmaster@contoso.lab")], [new MailboxAddress("Frank", Frank)],
                    $"Appended during IDLE ({listener})", new TextPart("plain") { Text = "Hello." }));
                await writer.DisconnectAsync(quit: true);
            }

            var countAfter = await countChanged.Task.WaitAsync(Bound);
            Assert.True(countAfter > countBefore, $"count went from {countBefore} to {countAfter}");
        }
        finally
        {
            await done.CancelAsync();
            await idle.WaitAsync(Bound);
        }

        // IDLE ended with DONE and its tagged OK; the session goes on.
        await watcher.NoOpAsync();
        await watcher.DisconnectAsync(quit: true);
    }
}
