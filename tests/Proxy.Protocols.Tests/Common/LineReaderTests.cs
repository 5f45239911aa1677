using System.Buffers;
using System.Text;
using Proxy.Protocols.Common;

namespace Proxy.Protocols.Tests.Common;

public sealed class LineReaderTests
{
    [Theory]
    [InlineData("abc\r\nrest", "abc")]
    [InlineData("abc\nrest", "abc")]
    [InlineData("\r\n", "")]
    [InlineData("a\rb\r\n", "a\rb")]
    public void TryReadLine_WholeLine_ReturnsLineWithoutTerminator(string input, string expected)
    {
        var buffer = Sequence(input);

        var status = LineReader.TryReadLine(buffer, 10, out var line, out var consumed, out _);

        Assert.Equal(LineStatus.Complete, status);
        Assert.Equal(expected, Encoding.ASCII.GetString(line.ToArray()));
        Assert.Equal(input.IndexOf('\n') + 1, buffer.Slice(0, consumed).Length);
    }

    [Fact]
    public void TryReadLine_LineSplitOverSegments_ReturnsWholeLine()
    {
        var buffer = MultiSegment("ab", "c\r", "\nd");

        var status = LineReader.TryReadLine(buffer, 10, out var line, out var consumed, out _);

        Assert.Equal(LineStatus.Complete, status);
        Assert.Equal("abc", Encoding.ASCII.GetString(line.ToArray()));
        Assert.Equal("d", Encoding.ASCII.GetString(buffer.Slice(consumed).ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("abc\r")]
    [InlineData("0123456789\r")]
    public void TryReadLine_NoLineEndWithinLimit_IsIncompleteAndExaminesAll(string input)
    {
        var buffer = Sequence(input);

        var status = LineReader.TryReadLine(buffer, 10, out _, out var consumed, out var examined);

        Assert.Equal(LineStatus.Incomplete, status);
        Assert.Equal(buffer.Start, consumed);
        Assert.Equal(buffer.End, examined);
    }

    [Fact]
    public void TryReadLine_ExactlyMaxLength_IsComplete()
    {
        Assert.Equal(LineStatus.Complete, LineReader.TryReadLine(Sequence("0123456789\r\n"), 10, out _, out _, out _));
        Assert.Equal(LineStatus.Complete, LineReader.TryReadLine(Sequence("0123456789\n"), 10, out _, out _, out _));
    }

    [Theory]
    [InlineData("0123456789A\r\n")]
    [InlineData("0123456789A\n")]
    [InlineData("0123456789AB")]
    [InlineData("0123456789ABCDEFGHIJ\r\n")]
    public void TryReadLine_LongerThanMax_IsTooLongAndConsumesNothing(string input)
    {
        var buffer = Sequence(input);

        var status = LineReader.TryReadLine(buffer, 10, out _, out var consumed, out _);

        Assert.Equal(LineStatus.TooLong, status);
        Assert.Equal(buffer.Start, consumed);
    }

    [Fact]
    public void TryReadLine_HugeBufferWithoutLineEnd_IsTooLong()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[1_000_000]);

        Assert.Equal(LineStatus.TooLong, LineReader.TryReadLine(buffer, 100, out _, out _, out _));
    }

    [Fact]
    public void TryReadLine_NulInLine_IsContainsNulAndConsumesLine()
    {
        var buffer = Sequence("a\0b\r\nnext");

        var status = LineReader.TryReadLine(buffer, 10, out _, out var consumed, out _);

        Assert.Equal(LineStatus.ContainsNul, status);
        Assert.Equal("next", Encoding.ASCII.GetString(buffer.Slice(consumed).ToArray()));
    }

    internal static ReadOnlySequence<byte> Sequence(string text) => new(Encoding.Latin1.GetBytes(text));

    internal static ReadOnlySequence<byte> MultiSegment(params string[] parts)
    {
        var first = new Segment(Encoding.Latin1.GetBytes(parts[0]), 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(Encoding.Latin1.GetBytes(part));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
