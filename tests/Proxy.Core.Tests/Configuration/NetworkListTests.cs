using System.Net;
using Proxy.Core.Configuration;

namespace Proxy.Core.Tests.Configuration;

public sealed class NetworkListTests
{
    [Theory]
    [InlineData("127.0.0.0/8", "127.0.0.0/8")]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0/8")]
    [InlineData("192.168.1.7", "192.168.1.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("fd00::/8", "fd00::/8")]
    [InlineData("::1", "::1/128")]
    public void TryParse_Valid_GivesTheBlock(string entry, string expected)
    {
        Assert.True(NetworkList.TryParse(entry, out var network, out var error), error);
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1/8", "write 127.0.0.0/8")]
    [InlineData("10.0.0.0/33", "prefix length must be 0-32")]
    [InlineData("fd00::/129", "prefix length must be 0-128")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("localhost", "not an IP address")]
    [InlineData("", "not an IP address")]
    [InlineData("fe80::1%eth0", "not an IP address")]
    public void TryParse_Invalid_SaysWhy(string entry, string reason)
    {
        Assert.False(NetworkList.TryParse(entry, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.9", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("128.0.0.1", false)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("fe80::1", false)]
    [InlineData("::1", false)]
    public void Contains_MatchesIpv4MappedAndIpv6(string address, bool expected)
    {
        var list = NetworkList.Of(["127.0.0.0/8", "fd00::/8"]);

        Assert.Equal(expected, list.Contains(new IPEndPoint(IPAddress.Parse(address), 143)));
    }

    [Fact]
    public void Of_SameListInstance_ParsedOnce()
    {
        List<string> entries = ["10.0.0.0/8"];

        Assert.Same(NetworkList.Of(entries), NetworkList.Of(entries));
        Assert.True(NetworkList.Of([]).IsEmpty);
        Assert.False(NetworkList.Of([]).Contains(new IPEndPoint(IPAddress.Loopback, 1)));
        Assert.False(NetworkList.Of(entries).Contains((EndPoint?)null));
    }
}
