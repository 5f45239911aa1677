using System.Text;
using Proxy.Protocols.Common;
using Proxy.Protocols.Imap;
using Proxy.Protocols.Pop3;
using Proxy.Protocols.Sasl;
using Proxy.Tests.Fuzz;
using Xunit.Abstractions;

namespace Proxy.Protocols.Tests.Fuzz;

/// <summary>
/// The pre-auth parsers under random and mutated input, fed in random chunks as a network
/// delivers it: no exception escapes, every call either waits for more or moves on, and what
/// one call allocates is bounded by the configured limits, never by what the input announces.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void ImapCommandParser_RandomAndMutatedInput_NoExceptionAlwaysProgressesBoundedAllocation()
    {
        long worst = 0;
        var count = MailFuzzer.Run(nameof(ImapCommandParser), MailFuzzer.ImapCorpus, 24 * 1024, (input, random) =>
        {
            var (maxLine, maxLiteral) = random.Next(3) switch { 0 => (64, 16), 1 => (512, 256), _ => (10240, 8192) };
            var parser = new ImapCommandParser(maxLine, maxLiteral);
            var chunkEnds = ChunkEnds(random, input.Length);
            var received = 0;
            var available = chunkEnds.Count > 0 ? chunkEnds[received++] : 0;
            var offset = 0;
            for (var calls = 0; ; calls++)
            {
                Assert.True(calls <= (2 * input.Length) + chunkEnds.Count + 2, "the parser stopped making progress");
                var buffer = ChunkedSequence.Create(input, offset, available, chunkEnds);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var status = parser.TryParse(buffer, out var consumed, out var examined, out var command);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                worst = Math.Max(worst, allocated);
                Assert.True(allocated <= Budget(maxLine + maxLiteral), $"one call allocated {allocated} bytes (limits {maxLine}/{maxLiteral})");

                var used = (int)buffer.Slice(0, consumed).Length;
                Assert.True(buffer.Slice(0, examined).Length >= used, "examined before consumed");
                offset += used;
                switch (status)
                {
                    case ImapParseStatus.Incomplete:
                        // A literal already received may have been consumed; the parser keeps it for the command.
                        if (available == input.Length)
                        {
                            return;
                        }

                        available = chunkEnds[received++];
                        break;
                    case ImapParseStatus.Complete:
                        Assert.NotNull(command);
                        Assert.NotEmpty(command.Tag);
                        Assert.Equal(command.Name.ToUpperInvariant(), command.Name);
                        Assert.True(used > 0);
                        break;
                    case ImapParseStatus.Malformed:
                        Assert.False(string.IsNullOrEmpty(parser.Error));
                        Assert.True(used > 0);
                        break;
                    case ImapParseStatus.LiteralAnnounced:
                        Assert.InRange(parser.LiteralSize, 0, maxLiteral);
                        Assert.True(used > 0);
                        break;
                    case ImapParseStatus.LiteralTooLarge:
                        Assert.True(parser.LiteralSize > 0);
                        if (!parser.LiteralIsSynchronizing)
                        {
                            return;
                        }

                        break;
                    case ImapParseStatus.LineTooLong:
                        return;
                    default:
                        Assert.Fail($"unknown status {status}");
                        break;
                }
            }
        });
        output.WriteLine($"{count} inputs, seed {MailFuzzer.Seed}, most allocated by one call: {worst} bytes");
    }

    [Fact]
    public void Pop3CommandParser_RandomAndMutatedInput_NoExceptionAlwaysProgressesBoundedAllocation()
    {
        long worst = 0;
        var count = MailFuzzer.Run(nameof(Pop3CommandParser), MailFuzzer.Pop3Corpus, 2048, (input, random) =>
        {
            var maxLine = random.Next(2) == 0 ? 40 : 512;
            var chunkEnds = ChunkEnds(random, input.Length);
            var received = 0;
            var available = chunkEnds.Count > 0 ? chunkEnds[received++] : 0;
            var offset = 0;
            for (var calls = 0; ; calls++)
            {
                Assert.True(calls <= input.Length + chunkEnds.Count + 2, "the parser stopped making progress");
                var buffer = ChunkedSequence.Create(input, offset, available, chunkEnds);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var status = Pop3CommandParser.TryParse(buffer, maxLine, out var consumed, out _, out var command, out var error);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                worst = Math.Max(worst, allocated);
                Assert.True(allocated <= Budget(maxLine), $"one call allocated {allocated} bytes (limit {maxLine})");

                var used = (int)buffer.Slice(0, consumed).Length;
                offset += used;
                switch (status)
                {
                    case Pop3ParseStatus.Incomplete:
                        if (available == input.Length)
                        {
                            return;
                        }

                        available = chunkEnds[received++];
                        break;
                    case Pop3ParseStatus.Complete:
                        Assert.NotNull(command);
                        Assert.InRange(command.Keyword.Length, 3, 4);
                        Assert.Equal(command.Keyword.ToUpperInvariant(), command.Keyword);
                        Assert.DoesNotContain(command.Arguments, a => a.Contains('\r') || a.Contains('\n') || a.Contains('\0'));
                        Assert.True(used > 0);
                        break;
                    case Pop3ParseStatus.Malformed:
                        Assert.False(string.IsNullOrEmpty(error));
                        Assert.True(used > 0);
                        break;
                    case Pop3ParseStatus.LineTooLong:
                        return;
                    default:
                        Assert.Fail($"unknown status {status}");
                        break;
                }
            }
        });
        output.WriteLine($"{count} inputs, seed {MailFuzzer.Seed}, most allocated by one call: {worst} bytes");
    }

    [Fact]
    public void SaslDecoders_RandomAndMutatedResponses_NeverThrow()
    {
        var count = MailFuzzer.Run("SASL decoders", [.. MailFuzzer.ImapCorpus, .. MailFuzzer.Pop3Corpus], 1024, (input, unusedRandom) =>
        {
            if (SaslBase64.TryDecode(input, out var message))
            {
                Assert.True(message.Length <= input.Length);
                if (SaslPlain.TryParseMessage(message, out var credentials) == SaslStatus.Success)
                {
                    Assert.DoesNotContain('\0', credentials!.UserName);
                    Assert.DoesNotContain('\0', credentials.Password);
                }
            }

            SaslBase64.TryDecodeInitialResponse(input, out _);
            SaslPlain.TryParseMessage(input, out _);
            SaslLogin.TryDecodeResponse(input, out _);
            SaslLogin.TryDecodeInitialResponse(input, out _);
            LineReader.TryReadLine(new(input), 64, out _, out _, out _);
            Assert.NotNull(Encoding.UTF8.GetString(input));
        });
        output.WriteLine($"{count} inputs, seed {MailFuzzer.Seed}");
    }

    /// <summary>
    /// What one call may allocate: a few copies of what the limits let it hold (a line, a
    /// literal, their decoded arguments) plus a fixed part for the command objects.
    /// </summary>
    private static long Budget(int limits) => (4L * limits) + (32 * 1024);

    private static List<int> ChunkEnds(Random random, int length)
    {
        var ends = new List<int>();
        var at = 0;
        foreach (var size in MailFuzzer.Chunks(random, length))
        {
            at += size;
            ends.Add(at);
        }

        return ends;
    }
}
