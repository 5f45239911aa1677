using System.Buffers;
using System.Text;
using Proxy.Protocols.Pop3;

namespace Proxy.Protocols.Tests.Pop3;

public sealed class Pop3ResponseWriterTests
{
    [Fact]
    public void WriteOk_And_WriteErr_FormatLines()
    {
        Assert.Equal("+OK ready\r\n", Write(o => Pop3ResponseWriter.WriteOk(o, "ready")));
        Assert.Equal("-ERR [SYS/TEMP] later\r\n", Write(o => Pop3ResponseWriter.WriteErr(o, "SYS/TEMP", "later")));
        Assert.Equal("-ERR no\r\n", Write(o => Pop3ResponseWriter.WriteErr(o, null, "no")));
        Assert.Equal("+ VXNlcm5hbWU6\r\n", Write(o => Pop3ResponseWriter.WriteContinuation(o, "VXNlcm5hbWU6")));
    }

    [Fact]
    public void WriteMultiLine_DotStuffsAndTerminates()
    {
        Assert.Equal("+OK list\r\nTOP\r\n..hidden\r\n.\r\n", Write(o => Pop3ResponseWriter.WriteMultiLine(o, "list", ["TOP", ".hidden"])));
    }

    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
