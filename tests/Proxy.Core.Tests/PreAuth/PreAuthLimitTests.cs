using Proxy.Core.Configuration;
using static Proxy.Core.Tests.PreAuth.DialogueHarness;

namespace Proxy.Core.Tests.PreAuth;

/// <summary>
/// The two bounds on a client that never logs in: MaxBadCommands (refused commands per
/// connection) and MaxPreAuthenticatedDuration (the whole pre-auth phase, however busy).
/// </summary>
public sealed class PreAuthLimitTests
{
    [Fact]
    public async Task Imap_BadCommandsUpToDefaultLimit_TenthSaysByeAndEnds()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        for (var i = 1; i < 10; i++)
        {
            await h.SendAsync($"t{i} FROB\r\n");
            await h.ExpectAsync($"t{i} BAD Unknown command, or command not valid before login.");

            // Commands the dialogue answers do not count.
            await h.SendAsync($"n{i} NOOP\r\n");
            await h.ExpectAsync($"n{i} OK NOOP completed.");
        }

        await h.SendAsync("t10 FROB\r\n");
        await h.ExpectAsync("t10 BAD Unknown command, or command not valid before login.", "* BYE Too many invalid commands.");
        Assert.Null(await Within(login));
        Assert.Contains("TooManyBadCommands", h.Logs.EventNames);
    }

    [Fact]
    public async Task Imap_EveryKindOfRefusalCounts_FourthEndsTheSession()
    {
        var h = new DialogueHarness(MailProtocol.Imap, LoginType.SecureLogin, configure: o => o.Imap.MaxBadCommands = 4);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a LOGIN bob secret\r\n");
        await h.ExpectAsync("a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS; use STARTTLS first.");
        await h.SendAsync("b LOGIN (bob\r\n");
        await h.ExpectAsync("b BAD Syntax error: Unterminated list.");
        await h.SendAsync("c STARTTLS\r\n");
        await h.ExpectAsync("c OK Begin TLS negotiation now.");
        await h.SendAsync("d AUTHENTICATE PLAIN\r\n");
        await h.ExpectAsync("+ ");
        await h.SendAsync("*\r\n");
        await h.ExpectAsync("d BAD Authentication cancelled.");
        await h.SendAsync("e AUTHENTICATE PLAIN\r\n");
        await h.ExpectAsync("+ ");
        await h.SendAsync("!!!\r\n");

        await h.ExpectAsync("e BAD Invalid base64 data.", "* BYE Too many invalid commands.");
        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task Pop3_LastBadCommand_AnsweredWithWhyTheSessionEnds()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, configure: o => o.Pop3.MaxBadCommands = 3);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("FROB\r\n");
        await h.ExpectAsync("-ERR Unknown command, or command not valid before login.");
        await h.SendAsync("PASS secret\r\n");
        await h.ExpectAsync("-ERR Send USER first.");
        await h.SendAsync("CAPA\r\n");
        while (await h.ReadLineAsync() != ".")
        {
            // The capability list: answered, not counted.
        }

        await h.SendAsync("AUTH CRAM-MD5\r\n");
        await h.ExpectAsync("-ERR Too many invalid commands.");

        Assert.Null(await Within(login));
        h.ExpectNoMoreOutput();
        Assert.Contains("TooManyBadCommands", h.Logs.EventNames);
    }

    [Fact]
    public async Task Imap_MalformedCommandWithLiteralPlus_SaysByeInsteadOfReadingTheLiteralAsCommands()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        var literals = string.Concat(Enumerable.Range(0, 101).Select(i => $" {{3+}}\r\nx{i % 10}y"));
        await h.SendAsync($"a ID ({literals[1..]})\r\n");

        await h.ExpectAsync("* BYE Syntax error: Too many arguments.");
        Assert.Null(await Within(login));
        h.ExpectNoMoreOutput();
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "n NOOP\r\n", "n OK NOOP completed.", "* BYE Disconnected: too long without logging in.")]
    [InlineData(MailProtocol.Pop3, "NOOP\r\n", "-ERR Unknown command, or command not valid before login.", "-ERR Disconnected: too long without logging in.")]
    public async Task BusyClientThatNeverLogsIn_ClosedAfterMaxPreAuthenticatedDuration(MailProtocol protocol, string command, string answer, string goodbye)
    {
        var h = new DialogueHarness(protocol, configure: o => o.Pop3.MaxBadCommands = 100);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();
        var timers = 1;

        // Never silent for the 60 s inactivity timeout, so only the 3 minute bound can end it.
        for (var elapsed = 0; elapsed < 150; elapsed += 50)
        {
            await h.Time.WaitForTimerAsync(timers);
            h.Time.Advance(TimeSpan.FromSeconds(50));
            await h.SendAsync(command);
            await h.ExpectAsync(answer);
            timers++;
        }

        await h.Time.WaitForTimerAsync(timers);
        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(login.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(1));

        await h.ExpectAsync(goodbye);
        Assert.Null(await Within(login));
        Assert.Contains("PreAuthDurationExceeded", h.Logs.EventNames);
        Assert.DoesNotContain("PreAuthTimeout", h.Logs.EventNames);
    }

    [Fact]
    public async Task Slowloris_OneByteAtATimeJustInsideTheTimeout_ClosedAfterMaxPreAuthenticatedDuration()
    {
        var h = new DialogueHarness(MailProtocol.Imap, configure: o =>
        {
            o.Imap.PreAuthenticatedConnectionTimeout = TimeSpan.FromSeconds(10);
            o.Imap.MaxPreAuthenticatedDuration = TimeSpan.FromSeconds(60);
        });
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        var timers = 1;
        var elapsed = 0;
        while (elapsed + 9 < 60)
        {
            await h.Time.WaitForTimerAsync(timers);
            h.Time.Advance(TimeSpan.FromSeconds(9));
            elapsed += 9;
            await h.SendAsync("x");
            timers++;
        }

        await h.Time.WaitForTimerAsync(timers);
        h.Time.Advance(TimeSpan.FromSeconds(9));

        await h.ExpectAsync("* BYE Disconnected: too long without logging in.");
        Assert.Null(await Within(login));

        Assert.DoesNotContain("PreAuthTimeout", h.Logs.EventNames);
        Assert.Contains("PreAuthDurationExceeded", h.Logs.EventNames);
    }

    [Fact]
    public async Task StartTlsHandshake_BoundedByWhatIsLeftOfTheDuration()
    {
        var h = new DialogueHarness(MailProtocol.Imap, tls: TlsMode.Hangs, configure: o => o.Imap.MaxPreAuthenticatedDuration = TimeSpan.FromSeconds(70));
        var login = h.StartReadLogin();
        await h.ReadLineAsync();
        await h.Time.WaitForTimerAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(50));

        await h.SendAsync("a STARTTLS\r\n");
        await h.ExpectAsync("a OK Begin TLS negotiation now.");
        await h.Time.WaitForTimerAsync(2);
        h.Time.Advance(TimeSpan.FromSeconds(20));

        Assert.Null(await Within(login));
        Assert.Contains("StartTlsFailed", h.Logs.EventNames);
    }
}
