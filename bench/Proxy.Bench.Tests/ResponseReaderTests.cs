using System.Text;
using Proxy.Bench.Client;

namespace Proxy.Bench.Tests;

public class ResponseReaderTests
{
    [Fact]
    public async Task Lines_split_across_reads_come_back_whole_without_their_line_end()
    {
        var reader = new ResponseReader(new TrickleStream("* OK ready\r\na1 OK done\nlast\r\n", chunk: 1), bufferSize: 4);

        Assert.Equal("* OK ready", await ReadLine(reader));
        Assert.Equal("a1 OK done", await ReadLine(reader));
        Assert.Equal("last", await ReadLine(reader));
    }

    [Fact]
    public async Task A_literal_is_skipped_exactly_and_the_line_after_it_is_read()
    {
        var body = new string('x', 10_000) + "\r\nNOT A LINE\r\n";
        var reader = new ResponseReader(new TrickleStream($"* 1 FETCH (BODY[] {{{body.Length}}}\r\n{body})\r\na3 OK Fetch completed.\r\n", chunk: 333), bufferSize: 64);

        var line = await ReadLine(reader);
        await reader.SkipAsync(ImapResponse.LiteralLength(Encoding.ASCII.GetBytes(line)), CancellationToken.None);

        Assert.Equal(")", await ReadLine(reader));
        Assert.Equal("a3 OK Fetch completed.", await ReadLine(reader));
    }

    [Fact]
    public async Task The_server_closing_mid_line_is_an_end_of_stream()
    {
        var reader = new ResponseReader(new TrickleStream("* OK no line end", chunk: 5));

        await Assert.ThrowsAsync<EndOfStreamException>(() => reader.ReadLineAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task The_server_closing_inside_a_literal_is_an_end_of_stream()
    {
        var reader = new ResponseReader(new TrickleStream("12345", chunk: 2));

        await Assert.ThrowsAsync<EndOfStreamException>(() => reader.SkipAsync(10, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Bytes_pipelined_before_a_TLS_upgrade_are_refused()
    {
        var reader = new ResponseReader(new TrickleStream("a1 OK Begin TLS now\r\ninjected\r\n", chunk: 100));
        Assert.Equal("a1 OK Begin TLS now", await ReadLine(reader));

        Assert.Throws<MailProtocolException>(() => reader.Rebind(new MemoryStream()));
    }

    [Fact]
    public async Task A_line_longer_than_the_buffer_grows_it()
    {
        var longLine = new string('a', 200_000);
        var reader = new ResponseReader(new TrickleStream(longLine + "\r\n", chunk: 4096), bufferSize: 16);

        Assert.Equal(longLine, await ReadLine(reader));
    }

    private static async Task<string> ReadLine(ResponseReader reader) =>
        Encoding.ASCII.GetString((await reader.ReadLineAsync(CancellationToken.None)).Span);
}

/// <summary>A read-only stream that hands out its content a few bytes at a time, as a socket may.</summary>
internal sealed class TrickleStream(string content, int chunk) : Stream
{
    private readonly byte[] _bytes = Encoding.ASCII.GetBytes(content);
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, chunk), _bytes.Length - _position);
        Array.Copy(_bytes, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
