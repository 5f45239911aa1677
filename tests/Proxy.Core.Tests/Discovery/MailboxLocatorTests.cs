using System.Collections.Frozen;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Discovery;

public sealed class MailboxLocatorTests
{
    private readonly RecordingLogger<MailboxLocator> _logger = new();
    private readonly MailboxLocator _locator;
    private readonly TopologySnapshot _lab = TopologyBuilder.Build(LabTopology.Create());

    public MailboxLocatorTests() => _locator = new MailboxLocator(MailboxLocator.DefaultRules, _logger);

    [Theory]
    [InlineData(MailProtocol.Imap, 993, 143)]
    [InlineData(MailProtocol.Pop3, 995, 110)]
    public void Locate_2013Mailbox_MailboxServerItself(MailProtocol protocol, int sslPort, int plainPort)
    {
        var location = Locate("alice@contoso.lab", "DB2013", protocol)!;

        Assert.Equal("MBX2013", location.MailboxServer.Name);
        Assert.Equal("HQ", location.Site);
        var candidate = Assert.Single(location.Candidates);
        Assert.Same(location.MailboxServer, candidate.Server);
        Assert.Equal(
            [
                new BackendEndpoint("mbx2013.contoso.lab", sslPort, BackendMethod.Ssl),
                new BackendEndpoint("mbx2013.contoso.lab", plainPort, BackendMethod.StartTls),
                new BackendEndpoint("mbx2013.contoso.lab", plainPort, BackendMethod.Plain),
            ],
            candidate.Endpoints);
    }

    [Fact]
    public void Locate_2010Mailbox_Every2010ClientAccessInTheSiteOnly()
    {
        var location = Locate("alice@contoso.lab", "DB2010", MailProtocol.Imap)!;

        Assert.Equal("MBX2010", location.MailboxServer.Name);
        Assert.Equal(["CAS2010A", "CAS2010B"], location.Candidates.Select(c => c.Server.Name).Order());
    }

    [Fact]
    public void Locate_2010Mailbox_CandidatesCarryTheirInternalConnectionSettings()
    {
        var location = Locate("alice@contoso.lab", "DB2010", MailProtocol.Imap)!;

        var endpoints = location.Candidates.ToDictionary(c => c.Server.Name, c => c.Endpoints);
        Assert.Equal(
            [
                new BackendEndpoint("cas2010a.contoso.lab", 993, BackendMethod.Ssl),
                new BackendEndpoint("cas2010a.contoso.lab", 143, BackendMethod.StartTls),
            ],
            endpoints["CAS2010A"]);
        Assert.Equal([new BackendEndpoint("cas2010b.contoso.lab", 143, BackendMethod.Plain)], endpoints["CAS2010B"]);
    }

    [Fact]
    public void Locate_2010MailboxCasWithoutSettings_ExchangeDefault()
    {
        var location = Locate("alice@contoso.lab", "DB2010", MailProtocol.Pop3)!;

        var a = location.Candidates.Single(c => c.Server.Name == "CAS2010A");
        Assert.Equal(
            [
                new BackendEndpoint("cas2010a.contoso.lab", 995, BackendMethod.Ssl),
                new BackendEndpoint("cas2010a.contoso.lab", 110, BackendMethod.StartTls),
            ],
            a.Endpoints);
    }

    [Fact]
    public void Locate_2010MailboxServerIsAlsoClientAccess_ItCounts()
    {
        var options = LabTopology.Create();
        options.Servers[1].Roles = [];

        var location = _locator.Locate(User("alice@contoso.lab", "DB2010"), MailProtocol.Imap, TopologyBuilder.Build(options))!;

        Assert.Equal(["CAS2010A", "CAS2010B", "MBX2010"], location.Candidates.Select(c => c.Server.Name).Order());
    }

    [Fact]
    public void Locate_2007Mailbox_Every2007ClientAccessInTheSiteOnly()
    {
        var location = Locate("alice@contoso.lab", "DB2007", MailProtocol.Imap)!;

        Assert.Equal("MBX2007", location.MailboxServer.Name);
        Assert.Equal(["CAS2007A", "CAS2007B"], location.Candidates.Select(c => c.Server.Name).Order());
        Assert.All(location.Candidates, c => Assert.Equal(3, c.Endpoints.Count));
    }

    [Fact]
    public void Locate_2007Mailbox_SameUserSameOrderEveryTime()
    {
        var first = Order("alice@contoso.lab", "DB2007", _lab);

        var again = Order("ALICE@contoso.LAB", "DB2007", _lab);
        var fromOtherLocator = new MailboxLocator(MailboxLocator.DefaultRules, _logger)
            .Locate(User("alice@contoso.lab", "DB2007"), MailProtocol.Pop3, TopologyBuilder.Build(LabTopology.Create()))!
            .Candidates.Select(c => c.Server.Name);

        Assert.Equal(first, again);
        Assert.Equal(first, fromOtherLocator);
    }

    [Fact]
    public void Locate_2007Mailbox_OrderDoesNotDependOnConfigurationOrder()
    {
        var reversed = LabTopology.Create();
        reversed.Servers.Reverse();
        var reversedLab = TopologyBuilder.Build(reversed);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(Order($"user{i}@contoso.lab", "DB2007", _lab), Order($"user{i}@contoso.lab", "DB2007", reversedLab));
        }
    }

    [Fact]
    public void Locate_2007Mailbox_UsersSpreadOverEveryClientAccess()
    {
        var firsts = Enumerable.Range(0, 200)
            .Select(i => Order($"user{i}@contoso.lab", "DB2007", _lab)[0])
            .CountBy(name => name)
            .ToDictionary();

        Assert.Equal(2, firsts.Count);
        Assert.All(firsts.Values, count => Assert.InRange(count, 70, 130));
    }

    [Fact]
    public void Locate_2007MailboxWithFourCas_FallOverOrderHoldsEveryCasOnce()
    {
        var options = LabTopology.Create();
        options.Servers.Add(LabTopology.Server("CAS2007C", "cas2007c.contoso.lab", "HQ", "2007", "ClientAccess"));
        options.Servers.Add(LabTopology.Server("CAS2007D", "cas2007d.contoso.lab", "HQ", "2007", "ClientAccess"));
        var lab = TopologyBuilder.Build(options);

        var orders = Enumerable.Range(0, 100).Select(i => Order($"user{i}@contoso.lab", "DB2007", lab)).ToList();

        Assert.All(orders, o => Assert.Equal(["CAS2007A", "CAS2007B", "CAS2007C", "CAS2007D"], o.Order()));
        Assert.Equal(4, orders.Select(o => o[0]).Distinct().Count());
    }

    [Fact]
    public void Locate_2007MailboxCasRemoved_OnlyItsUsersMove()
    {
        var options = LabTopology.Create();
        options.Servers.Add(LabTopology.Server("CAS2007C", "cas2007c.contoso.lab", "HQ", "2007", "ClientAccess"));
        var withC = TopologyBuilder.Build(options);

        for (var i = 0; i < 100; i++)
        {
            var user = $"user{i}@contoso.lab";
            var before = Order(user, "DB2007", withC);
            var after = Order(user, "DB2007", _lab);
            Assert.Equal(before.Where(n => n != "CAS2007C"), after);
        }
    }

    [Fact]
    public void Locate_CandidateWithoutEndpointForProtocol_Dropped()
    {
        var options = LabTopology.Create();
        options.Servers[6].Pop3 = new ProtocolPortsOptions();
        var lab = TopologyBuilder.Build(options);

        var pop3 = _locator.Locate(User("alice@contoso.lab", "DB2007"), MailProtocol.Pop3, lab)!;
        var imap = _locator.Locate(User("alice@contoso.lab", "DB2007"), MailProtocol.Imap, lab)!;

        Assert.Equal(["CAS2007A"], pop3.Candidates.Select(c => c.Server.Name));
        Assert.Equal(2, imap.Candidates.Count);
    }

    [Fact]
    public void Locate_NoServerOffersTheProtocol_EmptyCandidatesAndWarning()
    {
        var options = LabTopology.Create();
        options.Servers[0].Pop3 = new ProtocolPortsOptions();

        var location = _locator.Locate(User("alice@contoso.lab", "DB2013"), MailProtocol.Pop3, TopologyBuilder.Build(options))!;

        Assert.Empty(location.Candidates);
        Assert.Equal(3216, Assert.Single(_logger.Entries).EventId.Id);
    }

    [Fact]
    public void Locate_MailboxInOtherSite_ReportedNotFiltered()
    {
        var location = Locate("bob@contoso.lab", "DBBRANCH", MailProtocol.Imap)!;

        Assert.Equal("Branch", location.Site);
        Assert.Equal("BRMBX2013", Assert.Single(location.Candidates).Server.Name);
    }

    [Fact]
    public void Locate_DatabaseNameInOtherCase_Found()
    {
        Assert.NotNull(Locate("alice@contoso.lab", "db2013", MailProtocol.Imap));
    }

    [Fact]
    public void Locate_UnknownDatabase_NullAndLogged()
    {
        var location = Locate("alice@contoso.lab", "DB-GONE", MailProtocol.Imap);

        Assert.Null(location);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(3204, entry.EventId.Id);
        Assert.Contains("DB-GONE", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_DatabaseServerMissingFromSnapshot_Null()
    {
        var snapshot = _lab with
        {
            Databases = new Dictionary<string, MailboxDatabase> { ["DB"] = new("DB", "GONE") }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
        };

        Assert.Null(_locator.Locate(User("alice@contoso.lab", "DB"), MailProtocol.Imap, snapshot));
        Assert.Contains("GONE", Assert.Single(_logger.Entries).Message, StringComparison.Ordinal);
    }

    private static MailboxUser User(string upn, string database) => new(upn, database, false);

    private MailboxLocation? Locate(string upn, string database, MailProtocol protocol) =>
        _locator.Locate(User(upn, database), protocol, _lab);

    private List<string> Order(string upn, string database, TopologySnapshot topology) =>
        _locator.Locate(User(upn, database), MailProtocol.Imap, topology)!.Candidates.Select(c => c.Server.Name).ToList();
}
