using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proxy.IntegrationTests.Harness;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// No password the proxy handles ever reaches its log (at any level, exceptions included), its
/// traces, its metrics or its answers to clients, whatever the outcome.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class PasswordHygieneTests(LabFixture lab)
{
    private const string WrongPassword = "Canary-Wr0ng-7f3a";
    private const string ErinBase64Shaped = "YSAiYiIgXGMgZA";

    [Fact]
    public async Task Logs_AfterSuccessfulAndFailedLoginsOfEveryKind_ContainNoPassword()
    {
        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
        {
            await imap.AuthenticateAsync(Erin, ErinPassword);
        }

        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapPort, SecureSocketOptions.StartTls))
        {
            imap.AuthenticationMechanisms.Clear();
            await imap.AuthenticateAsync(Bob, Password);
        }

        using (var pop = await ConnectPop3Async(lab.Pki, lab.Proxy.Pop3sPort, SecureSocketOptions.SslOnConnect))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => pop.AuthenticateAsync(Carol, WrongPassword));
        }

        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => imap.AuthenticateAsync(Dave, Password));
        }

        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
        {
            imap.AuthenticationMechanisms.Clear();
            await Assert.ThrowsAsync<AuthenticationException>(() => imap.AuthenticateAsync(Alice, WrongPassword));
        }

        var logs = lab.Proxy.Logs.AllText;
        // The logins were logged (user names are not secret), so the search below looked at them.
        Assert.Contains(lab.Proxy.Logs.WithEventId(3200), e => e.Message.Contains(Erin, StringComparison.Ordinal));
        Assert.Contains(lab.Proxy.Logs.WithEventId(3201), e => e.Message.Contains(Carol, StringComparison.Ordinal));
        foreach (var secret in new[] { Password, ErinPassword, WrongPassword, ErinBase64Shaped })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Every path a password can take before login, good and bad: LOGIN (atom, quoted, literal),
    /// AUTHENTICATE/AUTH PLAIN (with and without initial response) and LOGIN, USER/PASS, wrong
    /// passwords up to the closing failure, cancelled and invalid SASL, a response sent after the
    /// cancel, credentials before TLS, CR/LF in a password, a well-known account, a cross-site
    /// mailbox. Then the whole log at Trace (exceptions included), every tag, event and status of
    /// the "Proxy" activities, every metric tag and every line the proxy sent are searched for
    /// each password, raw and in the base64 forms the client sent.
    /// </summary>
    [Fact]
    public async Task EveryOutput_AfterEveryKindOfLoginPath_ContainsNoPasswordRawOrBase64()
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var telemetry = new ConcurrentQueue<string>();
        using var activities = ListenToActivities(telemetry);
        using var meters = ListenToMeters(telemetry);
        await using var proxy = await lab.StartProxyAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" });
        var transcripts = new List<IReadOnlyList<string>>();

        string Secret(string user, string password)
        {
            secrets.Add(password);
            secrets.Add(Base64(password));
            secrets.Add(Base64($"\0{user}\0{password}"));
            return password;
        }

        async Task<RawMailClient> ImapAsync(bool encrypted = true)
        {
            var client = encrypted
                ? await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapPort, lab.Pki, implicitTls: false)
                : await RawMailClient.ConnectAsync(proxy.ImapPort);
            if (!encrypted)
            {
                await client.ReadLineAsync();
            }

            transcripts.Add(client.Transcript);
            return client;
        }

        async Task<RawMailClient> Pop3Async(bool encrypted = true)
        {
            var client = encrypted
                ? await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Pop3, proxy.Pop3Port, lab.Pki, implicitTls: false)
                : await RawMailClient.ConnectAsync(proxy.Pop3Port);
            if (!encrypted)
            {
                await client.ReadLineAsync();
            }

            transcripts.Add(client.Transcript);
            return client;
        }

        // IMAP: LOGIN as a quoted string and as a literal, right and wrong, to the closing failure.
        await using (var imap = await ImapAsync())
        {
            Assert.StartsWith("a NO", await imap.ImapCommandAsync("a", $"LOGIN {Alice} \"{Secret(Alice, "Canary-Imap-Wrong-1")}\""));
            var literal = Secret(Alice, "Canary-Imap-Wrong-2 {5}");
            await imap.WriteAsync($"b LOGIN {Alice} {{{literal.Length}+}}\r\n{literal}\r\n");
            Assert.StartsWith("b NO", await imap.ReadUntilAsync("b "));
            Assert.StartsWith("c NO", await imap.ImapCommandAsync("c", $"LOGIN {Alice} {Secret(Alice, "Canary-Imap-Wrong-3")}"));
            Assert.StartsWith("d NO", await imap.ImapCommandAsync("d", $"LOGIN {Alice} {Secret(Alice, "Canary-Imap-Wrong-4")}"));
            Assert.True(await imap.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)));
        }

        await using (var imap = await ImapAsync())
        {
            Assert.StartsWith("a OK", await imap.ImapCommandAsync("a", $"LOGIN {Alice} \"{Secret(Alice, Password)}\""));
            await imap.ImapCommandAsync("z", "LOGOUT");
        }

        // IMAP SASL: PLAIN with and without initial response, LOGIN, cancelled, invalid, and a response after the cancel.
        await using (var imap = await ImapAsync())
        {
            Secret(Erin, ErinPassword);
            Assert.StartsWith("a OK", await imap.ImapCommandAsync("a", $"AUTHENTICATE PLAIN {Base64($"\0{Erin}\0{ErinPassword}")}"));
            await imap.ImapCommandAsync("z", "LOGOUT");
        }

        await using (var imap = await ImapAsync())
        {
            await imap.WriteLineAsync("a AUTHENTICATE PLAIN");
            await imap.ReadLineAsync();
            await imap.WriteLineAsync(Base64($"\0{Bob}\0{Secret(Bob, "Canary-Plain-Wrong")}"));
            Assert.StartsWith("a NO", await imap.ReadUntilAsync("a "));

            await imap.WriteLineAsync("b AUTHENTICATE LOGIN");
            await imap.ReadLineAsync();
            await imap.WriteLineAsync(Base64(Bob));
            await imap.ReadLineAsync();
            await imap.WriteLineAsync("*");
            Assert.StartsWith("b BAD", await imap.ReadUntilAsync("b "));
            await imap.WriteLineAsync(Base64(Secret(Bob, "Canary-After-Cancel")));
            Assert.Contains(" BAD ", await imap.ReadLineAsync(), StringComparison.Ordinal);

            await imap.WriteLineAsync("c AUTHENTICATE PLAIN");
            await imap.ReadLineAsync();
            await imap.WriteLineAsync(Secret(Bob, "Canary-Not-Base64!"));
            Assert.StartsWith("c BAD", await imap.ReadUntilAsync("c "));

            await imap.WriteLineAsync("d AUTHENTICATE LOGIN");
            await imap.ReadLineAsync();
            await imap.WriteLineAsync(Base64(Bob));
            await imap.ReadLineAsync();
            await imap.WriteLineAsync(Base64(Secret(Bob, Password)));
            Assert.StartsWith("d OK", await imap.ReadUntilAsync("d "));
            await imap.ImapCommandAsync("z", "LOGOUT");
        }

        // IMAP: credentials before TLS, CR/LF in a password, a well-known account, a cross-site mailbox.
        await using (var imap = await ImapAsync(encrypted: false))
        {
            Assert.StartsWith("a NO [PRIVACYREQUIRED]", await imap.ImapCommandAsync("a", $"LOGIN {Alice} {Secret(Alice, "Canary-Before-Tls")}"));
            Assert.StartsWith("b NO [PRIVACYREQUIRED]", await imap.ImapCommandAsync("b", $"AUTHENTICATE PLAIN {Base64($"\0{Alice}\0{Secret(Alice, "Canary-Before-Tls-Sasl")}")}"));
        }

        await using (var imap = await ImapAsync())
        {
            var broken = Secret(Alice, "Canary-Cr\r\nLf");
            await imap.WriteAsync($"a LOGIN {Alice} {{{broken.Length}+}}\r\n{broken}\r\n");
            Assert.StartsWith("a NO", await imap.ReadUntilAsync("a "));
            secrets.Add("Canary-Cr");
            Assert.StartsWith("b NO", await imap.ImapCommandAsync("b", $"LOGIN {Administrator} {Secret(Administrator, Password)}"));
            Assert.StartsWith("c NO [CONTACTADMIN]", await imap.ImapCommandAsync("c", $"LOGIN {Dave} {Secret(Dave, Password)}"));
        }

        // POP3: USER/PASS right and wrong, AUTH PLAIN and LOGIN, cancelled, before TLS.
        await using (var pop = await Pop3Async())
        {
            await pop.WriteLineAsync($"USER {Carol}");
            await pop.ReadLineAsync();
            await pop.WriteLineAsync($"PASS {Secret(Carol, "Canary Pop3 Wrong")}");
            Assert.StartsWith("-ERR", await pop.ReadLineAsync());
            await pop.WriteLineAsync($"AUTH PLAIN {Base64($"\0{Carol}\0{Secret(Carol, "Canary-Pop3-Plain-Wrong")}")}");
            Assert.StartsWith("-ERR", await pop.ReadLineAsync());
            await pop.WriteLineAsync("AUTH LOGIN");
            await pop.ReadLineAsync();
            await pop.WriteLineAsync(Base64(Carol));
            await pop.ReadLineAsync();
            await pop.WriteLineAsync("*");
            Assert.StartsWith("-ERR", await pop.ReadLineAsync());
            await pop.WriteLineAsync(Base64(Secret(Carol, "Canary-Pop3-After-Cancel")));
            Assert.StartsWith("-ERR", await pop.ReadLineAsync());
            await pop.WriteLineAsync("AUTH LOGIN");
            await pop.ReadLineAsync();
            await pop.WriteLineAsync(Base64(Carol));
            await pop.ReadLineAsync();
            await pop.WriteLineAsync(Base64(Secret(Carol, Password)));
            Assert.StartsWith("+OK", await pop.ReadLineAsync());
            await pop.WriteLineAsync("QUIT");
            await pop.ReadLineAsync();
        }

        await using (var pop = await Pop3Async())
        {
            await pop.WriteLineAsync($"AUTH PLAIN {Base64($"\0{Bob}\0{Secret(Bob, Password)}")}");
            Assert.StartsWith("+OK", await pop.ReadLineAsync());
            await pop.WriteLineAsync("QUIT");
            await pop.ReadLineAsync();
        }

        await using (var pop = await Pop3Async(encrypted: false))
        {
            await pop.WriteLineAsync($"USER {Alice}");
            Assert.StartsWith("-ERR [AUTH]", await pop.ReadLineAsync());
            await pop.WriteLineAsync($"PASS {Secret(Alice, "Canary-Pop3-Before-Tls")}");
            Assert.StartsWith("-ERR", await pop.ReadLineAsync());
        }

        // The search looked at something: the logins were logged, at Trace, with traces and metrics.
        var logs = proxy.Logs;
        Assert.True(proxy.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Proxy.Core.PreAuth.Imap.ImapDialogue").IsEnabled(LogLevel.Trace));
        Assert.Contains(logs.WithEventId(3200), e => e.Message.Contains(Erin, StringComparison.Ordinal));
        Assert.Contains(logs.WithEventId(3201), e => e.Message.Contains(Carol, StringComparison.Ordinal));
        Assert.NotEmpty(logs.WithEventId(3108));
        Assert.NotEmpty(logs.WithEventId(3205));
        Assert.NotEmpty(logs.WithEventId(3111));
        Assert.NotEmpty(logs.WithEventId(3202));
        Assert.NotEmpty(logs.WithEventId(1008));
        Assert.Contains(telemetry, t => t.StartsWith("activity session", StringComparison.Ordinal));
        Assert.Contains(telemetry, t => t.StartsWith("metric proxy.logins", StringComparison.Ordinal));

        var outputs = new Dictionary<string, string>
        {
            ["log"] = logs.AllText,
            ["traces and metrics"] = string.Join('\n', telemetry),
            // A line the client sent as a command comes back as the tag of its BAD: its own bytes, not a disclosure.
            ["answers to clients"] = string.Join('\n', transcripts.SelectMany(t => t).Where(line => !secrets.Any(s => line.StartsWith(s + " BAD ", StringComparison.Ordinal)))),
        };
        foreach (var (output, text) in outputs)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"'{secret}' was found in the proxy's {output}");
            }
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Every "Proxy" activity as text: name, status, tags, events and their tags.</summary>
    private static ActivityListener ListenToActivities(ConcurrentQueue<string> into)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Proxy",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var text = new StringBuilder($"activity {activity.OperationName} {activity.DisplayName} {activity.Status} {activity.StatusDescription}");
                foreach (var tag in activity.TagObjects)
                {
                    text.Append($" {tag.Key}={tag.Value}");
                }

                foreach (var e in activity.Events)
                {
                    text.Append($" event {e.Name}");
                    foreach (var tag in e.Tags)
                    {
                        text.Append($" {tag.Key}={tag.Value}");
                    }
                }

                into.Enqueue(text.ToString());
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Every measurement of the "Proxy" meter as text: instrument and tags.</summary>
    private static MeterListener ListenToMeters(ConcurrentQueue<string> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Proxy")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var text = new StringBuilder($"metric {instrument.Name} {value}");
            foreach (var tag in tags)
            {
                text.Append($" {tag.Key}={tag.Value}");
            }

            into.Enqueue(text.ToString());
        }

        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<int>(Record);
        listener.Start();
        return listener;
    }
}
