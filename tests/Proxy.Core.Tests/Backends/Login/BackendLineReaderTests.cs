using System.Buffers;
using System.IO.Pipelines;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Login;

namespace Proxy.Core.Tests.Backends.Login;

public sealed class BackendLineReaderTests
{
    [Fact]
    public async Task ReadLineAsync_LineAcrossWrites_ReturnsItWithoutLineEnd()
    {
        var pipe = new Pipe();
        var reading = BackendLineReader.ReadLineAsync(pipe.Reader, 100, CancellationToken.None);
        await pipe.Writer.WriteAsync("* OK Dove"u8.ToArray());
        await pipe.Writer.WriteAsync("cot ready.\r"u8.ToArray());
        await pipe.Writer.WriteAsync("\n"u8.ToArray());

        Assert.Equal("* OK Dovecot ready.", await reading);
    }

    [Fact]
    public async Task ReadLineAsync_TwoLinesInOneWrite_SecondStaysInReader()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("+OK first\r\n+OK second\nrest"u8.ToArray());

        Assert.Equal("+OK first", await BackendLineReader.ReadLineAsync(pipe.Reader, 100, CancellationToken.None));
        Assert.Equal("+OK second", await BackendLineReader.ReadLineAsync(pipe.Reader, 100, CancellationToken.None));
        Assert.True(pipe.Reader.TryRead(out var rest));
        Assert.Equal("rest"u8.ToArray(), rest.Buffer.ToArray());
    }

    [Fact]
    public async Task ReadLineAsync_EndOfStream_Null()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("partial"u8.ToArray());
        await pipe.Writer.CompleteAsync();

        Assert.Null(await BackendLineReader.ReadLineAsync(pipe.Reader, 100, CancellationToken.None));
    }

    [Fact]
    public async Task ReadLineAsync_LineExactlyAtLimit_Returned()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("12345678\r\n"u8.ToArray());

        Assert.Equal("12345678", await BackendLineReader.ReadLineAsync(pipe.Reader, 9, CancellationToken.None));
    }

    [Theory]
    [InlineData("0123456789\r\n")]
    [InlineData("0123456789 and no line end yet")]
    public async Task ReadLineAsync_LineOverLimit_Protocol(string input)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(System.Text.Encoding.ASCII.GetBytes(input));

        var failure = await Assert.ThrowsAsync<BackendFailureException>(
            () => BackendLineReader.ReadLineAsync(pipe.Reader, 8, CancellationToken.None).AsTask());

        Assert.Equal(BackendFailureKind.Protocol, failure.Kind);
    }
}
