using System.Diagnostics;
using System.Text;
using Xunit.Sdk;

namespace Proxy.Tests.Fuzz;

/// <summary>
/// Bounded, reproducible fuzzing for the pre-auth parsers and dialogues (shared by
/// Proxy.Protocols.Tests and Proxy.Core.Tests): inputs are random bytes or mutations of valid
/// command sequences, each made by its own <see cref="Random"/> seeded from the run's seed and
/// the input's number. A run stops at a count or a time budget, whichever comes first. A
/// failure names the seed and the input number; set <c>PROXY_FUZZ_SEED</c> to replay a run.
/// </summary>
internal static class MailFuzzer
{
    public const int MaxInputs = 20_000;

    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    /// <summary>Valid IMAP pre-auth commands, SASL exchanges included, to mutate.</summary>
    public static readonly string[] ImapCorpus =
    [
        "a CAPABILITY\r\n",
        "b NOOP\r\n",
        "c ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n",
        "d LOGIN bob secret\r\n",
        "e LOGIN {3}\r\nbob {6+}\r\nsecret\r\n",
        "f AUTHENTICATE PLAIN\r\nAGJvYgBzZWNyZXQ=\r\n",
        "g AUTHENTICATE LOGIN\r\nYm9i\r\nc2VjcmV0\r\n",
        "h STARTTLS\r\n",
        "i LOGOUT\r\n",
        "j AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n",
        "k AUTHENTICATE PLAIN\r\n*\r\n",
        "l ID NIL\r\n",
        "m LOGIN \"b\\\"o b\" \"p\\\\w d\"\r\n",
        "n ENABLE UTF8=ACCEPT\r\n",
        "o LOGIN bob {7+}\r\nse\0cret\r\n",
    ];

    /// <summary>Valid POP3 authorization-state commands, SASL exchanges included, to mutate.</summary>
    public static readonly string[] Pop3Corpus =
    [
        "CAPA\r\n",
        "USER bob\r\n",
        "PASS se cret\r\n",
        "AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n",
        "AUTH PLAIN\r\nAGJvYgBzZWNyZXQ=\r\n",
        "AUTH LOGIN\r\nYm9i\r\nc2VjcmV0\r\n",
        "AUTH PLAIN\r\n*\r\n",
        "AUTH\r\n",
        "STLS\r\n",
        "NOOP\r\n",
        "QUIT\r\n",
    ];

    /// <summary>Bytes and tokens that the parsers treat specially.</summary>
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "\0", "\r", "\n", "\r\n", "{", "}", "{4294967295}", "{4294967296}", "{99999999999999999999}", "{-1}", "{0}\r\n", "{0+}\r\n",
            "{5+}\r\n", "{100}\r\n", "{9000+}\r\n", "\"", "\\", "(", ")", "((((((((((", "*", "=", "+ ", " ", "  ", "NIL", "AUTHENTICATE PLAIN ",
            "LOGIN ", "USER ", "PASS ", "AUTH LOGIN ", "STARTTLS\r\n", "STLS\r\n", "\u00e9", "AGJvYgBzZWNyZXQ=", "====", "\t",
        }.Select(Encoding.UTF8.GetBytes),
        [0xFF, 0xFE],
        [0xC3],
        [0x80, 0x80],
    ];

    /// <summary>The seed of this run: <c>PROXY_FUZZ_SEED</c> when set, otherwise a new one each run.</summary>
    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("PROXY_FUZZ_SEED"), out var seed) ? seed : Random.Shared.Next();

    /// <summary>
    /// Runs <paramref name="check"/> on generated inputs until <see cref="MaxInputs"/> or
    /// <see cref="Budget"/>; returns how many ran. A failing input fails the test with the seed,
    /// the input's number and its bytes.
    /// </summary>
    /// <param name="check">Gets the input and a Random of its own (for chunking, limits).</param>
    public static int Run(string name, string[] corpus, int maxLength, Action<byte[], Random> check)
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        for (; count < MaxInputs && clock.Elapsed < Budget; count++)
        {
            var random = new Random(unchecked(Seed + (count * 7919)));
            var input = Generate(random, corpus, maxLength);
            try
            {
                check(input, random);
            }
            catch (Exception e)
            {
                var shown = input.Length > 512 ? Convert.ToHexString(input, 0, 512) + "..." : Convert.ToHexString(input);
                throw new XunitException(
                    $"{name}: fuzz input #{count} of seed {Seed} failed (replay with PROXY_FUZZ_SEED={Seed}); {input.Length} bytes: {shown}\n{e}");
            }
        }

        // Even on a loaded machine the budget must have bought a meaningful run.
        Assert.True(count >= 500, $"{name}: only {count} inputs within {Budget.TotalSeconds} s (seed {Seed})");
        return count;
    }

    /// <summary>Random bytes (one input in ten), protocol-significant bytes (one in ten), or mutated command sequences.</summary>
    public static byte[] Generate(Random random, string[] corpus, int maxLength)
    {
        var kind = random.Next(10);
        if (kind == 0)
        {
            var bytes = new byte[random.Next(maxLength)];
            random.NextBytes(bytes);
            return bytes;
        }

        if (kind == 1)
        {
            const string Alphabet = " \r\n{}+()\"\\*0123456789aAbB=\0";
            return [.. Enumerable.Range(0, random.Next(maxLength)).Select(_ => (byte)Alphabet[random.Next(Alphabet.Length)])];
        }

        var data = new List<byte>();
        for (var n = random.Next(1, 7); n > 0; n--)
        {
            data.AddRange(Encoding.UTF8.GetBytes(corpus[random.Next(corpus.Length)]));
        }

        for (var n = random.Next(0, 9); n > 0; n--)
        {
            Mutate(random, data, maxLength);
        }

        return [.. data.Take(maxLength)];
    }

    /// <summary>Splits a length into the random chunk sizes a network would deliver it in.</summary>
    public static List<int> Chunks(Random random, int length)
    {
        var chunks = new List<int>();
        for (var left = length; left > 0;)
        {
            var size = Math.Min(left, random.Next(4) == 0 ? random.Next(1, 4) : random.Next(1, 4096));
            chunks.Add(size);
            left -= size;
        }

        return chunks;
    }

    private static void Mutate(Random random, List<byte> data, int maxLength)
    {
        var at = random.Next(data.Count + 1);
        switch (random.Next(7))
        {
            case 0 when at < data.Count:
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when at < data.Count:
                data[at] = (byte)random.Next(256);
                break;
            case 2:
                var bytes = new byte[random.Next(1, 9)];
                random.NextBytes(bytes);
                data.InsertRange(at, bytes);
                break;
            case 3:
                data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                break;
            case 4 when at < data.Count:
                data.RemoveRange(at, random.Next(1, data.Count - at + 1));
                break;
            case 5 when at < data.Count:
                // Repeat a span, as a flood of the same command or token would.
                var span = data.GetRange(at, random.Next(1, Math.Min(64, data.Count - at) + 1));
                for (var n = random.Next(1, 200); n > 0 && data.Count + span.Count <= maxLength; n--)
                {
                    data.InsertRange(at, span);
                }

                break;
            case 6:
                data.RemoveRange(at, data.Count - at);
                break;
        }
    }
}
