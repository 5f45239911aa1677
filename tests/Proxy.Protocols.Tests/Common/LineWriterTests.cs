using System.Buffers;
using System.Text;
using Proxy.Protocols.Common;

namespace Proxy.Protocols.Tests.Common;

public sealed class LineWriterTests
{
    [Fact]
    public void WriteLine_PlainText_AppendsCrLf()
    {
        var output = new ArrayBufferWriter<byte>();

        LineWriter.WriteLine(output, "* OK ready");

        Assert.Equal("* OK ready\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void WriteLine_TextWithLineBreaksAndNul_CannotStartSecondLine()
    {
        var output = new ArrayBufferWriter<byte>();

        LineWriter.WriteLine(output, "a\r\nb OK injected\0");

        Assert.Equal("a  b OK injected \r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
