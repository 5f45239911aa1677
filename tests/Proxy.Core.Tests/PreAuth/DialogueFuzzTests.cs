using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.PreAuth;
using Proxy.Core.PreAuth.Imap;
using Proxy.Core.PreAuth.Pop3;
using Proxy.Core.Sessions;
using Proxy.Core.Tests.TestDoubles;
using Proxy.Tests.Fuzz;
using Xunit.Abstractions;

namespace Proxy.Core.Tests.PreAuth;

/// <summary>
/// The IMAP and POP3 dialogues over in-memory pipes under random and mutated client input,
/// with random login types, limits, TLS and trust: no exception escapes, the dialogue greets
/// and ends when the client's input ends, credentials handed on never hold CR, LF or NUL, and
/// the allocation of a whole session stays proportional to what the client sent.
/// </summary>
public sealed class DialogueFuzzTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop3)]
    public void Dialogue_RandomAndMutatedClientInput_EndsCleanlyWithBoundedAllocation(MailProtocol protocol)
    {
        var measured = 0;
        double worstPerByte = 0;
        long worst = 0;
        var corpus = protocol == MailProtocol.Imap ? MailFuzzer.ImapCorpus : MailFuzzer.Pop3Corpus;
        var count = MailFuzzer.Run($"{protocol} dialogue", corpus, protocol == MailProtocol.Imap ? 24 * 1024 : 4096, (input, random) =>
        {
            var session = new FuzzSession(protocol, random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var synchronous = session.Run(input);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            var transcript = session.DrainOutput();
            Assert.True(transcript.Length > 0, "the dialogue did not even greet");
            Assert.EndsWith("\r\n", transcript, StringComparison.Ordinal);
            if (synchronous)
            {
                // All input is there at once, so the whole session ran on this thread and the count is its own.
                measured++;
                worst = Math.Max(worst, allocated);
                worstPerByte = Math.Max(worstPerByte, (double)(allocated - FixedBudget) / Math.Max(input.Length, 1));
                Assert.True(allocated <= SessionBudget(input.Length), $"the session allocated {allocated} bytes for {input.Length} bytes of input");
            }
        });

        output.WriteLine($"{count} inputs ({measured} measured), seed {MailFuzzer.Seed}; most allocated {worst} bytes, at most {worstPerByte:0} bytes per input byte above the fixed {FixedBudget}");
        Assert.True(measured >= count * 9 / 10, $"only {measured} of {count} sessions ran synchronously and could be measured");
    }

    private const long FixedBudget = 64 * 1024;

    /// <summary>
    /// A fixed part (dialogue, parser, greeting) and a part per input byte: every command the
    /// client sends costs an answer, a read and its timer (POP3's 6-byte CAPA about 900 bytes),
    /// so a session of a thousand CAPAs costs more than one long line; but nothing may grow with
    /// what a command announces (a literal's size) or faster than the input itself.
    /// </summary>
    private static long SessionBudget(int inputLength) => FixedBudget + (256L * inputLength);

    private sealed class FuzzSession
    {
        private readonly Pipe _toServer = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        private readonly IFrontEndDialogue _dialogue;
        private readonly int _maxFailedLogins;

        public FuzzSession(MailProtocol protocol, Random random)
        {
            var options = new ProxyOptions { ServerName = "fuzz" };
            MailProtocolOptions protocolOptions = protocol == MailProtocol.Imap ? options.Imap : options.Pop3;
            protocolOptions.LoginType = (LoginType)random.Next(3);
            protocolOptions.MaxBadCommands = random.Next(1, 20);
            protocolOptions.MaxFailedLoginAttempts = random.Next(1, 5);
            protocolOptions.MaxCommandSize = random.Next(2) == 0 ? 64 : protocolOptions.MaxCommandSize;
            options.Imap.MaxLiteralSize = random.Next(2) == 0 ? 16 : options.Imap.MaxLiteralSize;
            if (random.Next(3) == 0)
            {
                protocolOptions.TrustedNetworks = ["127.0.0.0/8"];
            }

            _maxFailedLogins = protocolOptions.MaxFailedLoginAttempts;
            Func<IDuplexPipe, CancellationToken, ValueTask<IDuplexPipe>>? upgrade = random.Next(4) switch
            {
                0 => null,
                1 => (_, _) => throw new IOException("handshake failed"),
                _ => (transport, _) => ValueTask.FromResult(transport),
            };
            var connection = new ClientConnection(
                "fuzz",
                new DuplexPipe(_toServer.Reader, _toClient.Writer),
                implicitTls: random.Next(4) == 0,
                new IPEndPoint(IPAddress.Loopback, 40000),
                null,
                upgrade);
            var monitor = new FixedOptionsMonitor(options);
            var time = new ManualTimeProvider();
            IFrontEndDialogueFactory factory = protocol == MailProtocol.Imap
                ? new ImapDialogueFactory(monitor, FormattingLoggerFactory.Instance, time)
                : new Pop3DialogueFactory(monitor, FormattingLoggerFactory.Instance, time);
            _dialogue = factory.Create(connection);
        }

        /// <summary>Plays the whole input, then its end, through the session as the orchestrator would (every login refused); true when it all ran synchronously.</summary>
        public bool Run(byte[] input)
        {
            _toServer.Writer.Write(input);
            _toServer.Writer.Complete();
            var synchronous = true;
            for (var failures = 0; ; failures++)
            {
                var read = _dialogue.ReadLoginAsync(CancellationToken.None);
                synchronous &= read.IsCompleted;
                var login = Await(read.AsTask());
                if (login is null)
                {
                    return synchronous;
                }

                Assert.NotEmpty(login.UserName);
                Assert.NotEmpty(login.Password);
                Assert.Equal(-1, login.UserName.AsSpan().IndexOfAny('\r', '\n', '\0'));
                Assert.Equal(-1, login.Password.AsSpan().IndexOfAny('\r', '\n', '\0'));

                var closing = failures + 1 >= _maxFailedLogins;
                var reject = _dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, closing, CancellationToken.None);
                synchronous &= reject.IsCompleted;
                Await(reject.AsTask());
                if (closing)
                {
                    return synchronous;
                }
            }
        }

        public string DrainOutput()
        {
            _toClient.Writer.Complete();
            Assert.True(_toClient.Reader.TryRead(out var result));
            var text = Encoding.UTF8.GetString(result.Buffer.ToArray());
            _toClient.Reader.AdvanceTo(result.Buffer.End);
            return text;
        }

        private static T Await<T>(Task<T> task)
        {
            Assert.True(task.Wait(TimeSpan.FromSeconds(5)), "the dialogue neither answered nor ended within 5 s");
            return task.Result;
        }

        private static void Await(Task task) => Assert.True(task.Wait(TimeSpan.FromSeconds(5)), "the answer was not written within 5 s");
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class FixedOptionsMonitor(ProxyOptions value) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue { get; } = value;

        public ProxyOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }

    /// <summary>Enabled at every level and formats every message (so formatting runs too), keeping nothing.</summary>
    private sealed class FormattingLoggerFactory : ILoggerFactory, ILogger
    {
        public static readonly FormattingLoggerFactory Instance = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Assert.NotNull(formatter(state, exception));
    }
}
