using System.Text;
using Proxy.Bench.Client;

namespace Proxy.Bench.Tests;

public class ResponseGrammarTests
{
    [Theory]
    [InlineData("* 1 FETCH (BODY[] {20971520}", 20971520)]
    [InlineData("* 1 FETCH (FLAGS (\\Seen) BODY[] {5}", 5)]
    [InlineData("* 1 FETCH (BODY[] {0}", 0)]
    [InlineData("a1 LOGIN {5+}", 5)]
    [InlineData("* 1 FETCH (BODY[] \"quoted\")", -1)]
    [InlineData("* OK {not a number}", -1)]
    [InlineData("* OK {}", -1)]
    [InlineData("* OK {12", -1)]
    [InlineData("}", -1)]
    [InlineData("* OK {99999999999999999999}", -1)]
    public void A_literal_is_recognised_only_at_the_end_of_a_line(string line, long expected) =>
        Assert.Equal(expected, ImapResponse.LiteralLength(Bytes(line)));

    [Theory]
    [InlineData("a12 OK LOGIN completed", "Ok")]
    [InlineData("a12 NO [AUTHENTICATIONFAILED] Authentication failed.", "No")]
    [InlineData("a12 BAD Error in IMAP command", "Bad")]
    [InlineData("a12 OK", "Ok")]
    [InlineData("a1 OK other tag", "None")]
    [InlineData("a123 OK longer tag", "None")]
    [InlineData("* OK untagged", "None")]
    [InlineData("a12 OKAY", "None")]
    public void Only_the_commands_own_tag_completes_it(string line, string expected) =>
        Assert.Equal(Enum.Parse<ImapResponse.Status>(expected), ImapResponse.TaggedStatus(Bytes(line), Bytes("a12")));

    [Theory]
    [InlineData("* OK [CAPABILITY IMAP4rev1] Dovecot ready.", true)]
    [InlineData("* OK", true)]
    [InlineData("* PREAUTH logged in", true)]
    [InlineData("* BYE too busy", false)]
    [InlineData("* OKAY", false)]
    public void Greetings(string line, bool expected) => Assert.Equal(expected, ImapResponse.IsGreeting(Bytes(line)));

    [Theory]
    [InlineData("+ idling", true)]
    [InlineData("+", true)]
    [InlineData("+OK", false)]
    [InlineData("* OK Still here", false)]
    public void Continuations(string line, bool expected) => Assert.Equal(expected, ImapResponse.IsContinuation(Bytes(line)));

    [Theory]
    [InlineData("+OK Dovecot ready.", true)]
    [InlineData("+OK", true)]
    [InlineData("+OKAY", false)]
    [InlineData("-ERR [AUTH] Authentication failed.", false)]
    public void Pop3_ok(string line, bool expected) => Assert.Equal(expected, Pop3Response.IsOk(Bytes(line)));

    [Fact]
    public void Pop3_a_lone_dot_ends_a_multi_line_response_a_stuffed_dot_does_not()
    {
        Assert.True(Pop3Response.IsTerminator(Bytes(".")));
        Assert.False(Pop3Response.IsTerminator(Bytes("..")));
        Assert.False(Pop3Response.IsTerminator(Bytes(".x")));
        Assert.True(Pop3Response.IsErr(Bytes("-ERR no such message")));
    }

    [Theory]
    [InlineData("abc", 5)]
    [InlineData("", 2)]
    [InlineData("..", 3)]
    [InlineData("..leading dot", 14)]
    public void Pop3_data_lines_count_as_the_message_bytes_they_stand_for(string line, int expected) =>
        Assert.Equal(expected, Pop3Response.DataLength(Bytes(line)));

    [Theory]
    [InlineData("user@bench.test", "\"user@bench.test\"")]
    [InlineData("a \"b\" \\c", "\"a \\\"b\\\" \\\\c\"")]
    public void Imap_strings_are_quoted_with_escapes(string value, string expected) => Assert.Equal(expected, ImapClient.Quote(value));

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);
}
