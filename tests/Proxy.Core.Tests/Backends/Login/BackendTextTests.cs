using Proxy.Core.Backends;
using Proxy.Core.Backends.Login;

namespace Proxy.Core.Tests.Backends.Login;

public sealed class BackendTextTests
{
    private static readonly BackendCredentials Credentials = new("alice", "Passw0rd!");

    [Fact]
    public void ForLog_LineHoldsPassword_Masked()
    {
        Assert.Equal("BAD LOGIN alice ******** rejected", BackendText.ForLog("BAD LOGIN alice Passw0rd! rejected", Credentials));
    }

    [Fact]
    public void ForLog_ControlCharacters_Replaced()
    {
        Assert.Equal("NO a?b?c", BackendText.ForLog("NO a\u001bb\0c", Credentials));
    }

    [Fact]
    public void ForLog_LongLine_Truncated()
    {
        var logged = BackendText.ForLog(new string('x', 1000), Credentials);

        Assert.Equal(new string('x', 200) + "...", logged);
    }
}
