using System.Buffers;
using System.Text;
using Proxy.Protocols.Imap;

namespace Proxy.Protocols.Tests.Imap;

public sealed class ImapResponseWriterTests
{
    [Fact]
    public void WriteTagged_WithCode_FormatsLine()
    {
        Assert.Equal("a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
            Write(o => ImapResponseWriter.WriteTagged(o, "a", ImapResponseStatus.No, "AUTHENTICATIONFAILED", "Authentication failed.")));
    }

    [Fact]
    public void WriteUntagged_WithoutCode_FormatsLine()
    {
        Assert.Equal("* BYE Logging out.\r\n", Write(o => ImapResponseWriter.WriteUntagged(o, ImapResponseStatus.Bye, null, "Logging out.")));
    }

    [Fact]
    public void WriteUntaggedData_And_Continuation_FormatLines()
    {
        Assert.Equal("* CAPABILITY IMAP4rev1\r\n", Write(o => ImapResponseWriter.WriteUntaggedData(o, "CAPABILITY IMAP4rev1")));
        Assert.Equal("+ \r\n", Write(o => ImapResponseWriter.WriteContinuation(o, "")));
    }

    [Fact]
    public void WriteTagged_TextWithCrLf_StaysOneLine()
    {
        Assert.Equal("a OK x  b OK\r\n", Write(o => ImapResponseWriter.WriteTagged(o, "a", ImapResponseStatus.Ok, null, "x\r\nb OK")));
    }

    [Fact]
    public void Quote_EscapesAndReplacesNonPrintable()
    {
        Assert.Equal("\"a\\\"b\\\\c?\"", ImapResponseWriter.Quote("a\"b\\c\u00e9"));
    }

    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
