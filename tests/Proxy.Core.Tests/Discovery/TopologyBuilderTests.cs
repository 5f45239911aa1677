using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Discovery;

public sealed class TopologyBuilderTests
{
    [Fact]
    public void Build_Lab_HoldsEveryServerAndDatabase()
    {
        var snapshot = TopologyBuilder.Build(LabTopology.Create());

        Assert.Equal("HQ", snapshot.LocalSite);
        Assert.Equal(["HQ", "Branch"], snapshot.Sites);
        Assert.Equal(10, snapshot.Servers.Count);
        Assert.Equal(4, snapshot.Databases.Count);
        Assert.Equal(new MailboxDatabase("DB2010", "MBX2010"), snapshot.Databases["db2010"]);
        Assert.Same(snapshot.Servers["MBX2013"], snapshot.Servers["mbx2013"]);
    }

    [Fact]
    public void Build_NamesInOtherCase_CanonicalSpellingKept()
    {
        var options = LabTopology.Create();
        options.LocalSite = "hq";
        options.Servers[0].Site = "hQ";
        options.Databases[0].Server = "mbx2013";

        var snapshot = TopologyBuilder.Build(options);

        Assert.Equal("HQ", snapshot.LocalSite);
        Assert.Equal("HQ", snapshot.Servers["MBX2013"].Site);
        Assert.Equal("MBX2013", snapshot.Databases["DB2013"].ServerName);
    }

    [Theory]
    [InlineData("2007", ServerVersion.Exchange2007)]
    [InlineData("2010", ServerVersion.Exchange2010)]
    [InlineData("2013", ServerVersion.Exchange2013)]
    [InlineData("2016", ServerVersion.Exchange2013)]
    [InlineData("2019", ServerVersion.Exchange2013)]
    [InlineData("SE", ServerVersion.Exchange2013)]
    [InlineData("se", ServerVersion.Exchange2013)]
    [InlineData(" 2010 ", ServerVersion.Exchange2010)]
    public void Build_Version_Mapped(string version, ServerVersion expected)
    {
        var options = LabTopology.Create();
        options.Servers[0].Version = version;
        options.Databases.RemoveAt(0);

        Assert.Equal(expected, TopologyBuilder.Build(options).Servers["MBX2013"].Version);
    }

    [Fact]
    public void Build_NoRoles_BothMailboxAndClientAccess()
    {
        var server = TopologyBuilder.Build(LabTopology.Create()).Servers["MBX2013"];

        Assert.True(server.IsMailbox);
        Assert.True(server.IsClientAccess);
    }

    [Fact]
    public void Build_OneRole_OnlyThatRole()
    {
        var snapshot = TopologyBuilder.Build(LabTopology.Create());

        Assert.True(snapshot.Servers["MBX2010"].IsMailbox);
        Assert.False(snapshot.Servers["MBX2010"].IsClientAccess);
        Assert.False(snapshot.Servers["CAS2010A"].IsMailbox);
        Assert.True(snapshot.Servers["CAS2010A"].IsClientAccess);
    }

    [Fact]
    public void Build_Ports_SslThenStartTlsThenPlain()
    {
        var server = TopologyBuilder.Build(LabTopology.Create()).Servers["MBX2013"];

        Assert.Equal(
            [
                new BackendEndpoint("mbx2013.contoso.lab", 993, BackendMethod.Ssl),
                new BackendEndpoint("mbx2013.contoso.lab", 143, BackendMethod.StartTls),
                new BackendEndpoint("mbx2013.contoso.lab", 143, BackendMethod.Plain),
            ],
            server.Endpoints[MailProtocol.Imap]);
        Assert.Equal(
            [
                new BackendEndpoint("mbx2013.contoso.lab", 995, BackendMethod.Ssl),
                new BackendEndpoint("mbx2013.contoso.lab", 110, BackendMethod.StartTls),
                new BackendEndpoint("mbx2013.contoso.lab", 110, BackendMethod.Plain),
            ],
            server.Endpoints[MailProtocol.Pop3]);
    }

    [Fact]
    public void Build_PlainPortWithoutStartTls_OnlyPlain()
    {
        var options = LabTopology.Create();
        options.Servers[0].Imap = new ProtocolPortsOptions { PlainPort = 143, StartTls = false };
        options.Servers[0].Pop3 = new ProtocolPortsOptions();

        var server = TopologyBuilder.Build(options).Servers["MBX2013"];

        Assert.Equal([new BackendEndpoint("mbx2013.contoso.lab", 143, BackendMethod.Plain)], server.Endpoints[MailProtocol.Imap]);
        Assert.Empty(server.Endpoints[MailProtocol.Pop3]);
    }

    [Fact]
    public void Build_2010ClientAccess_EndpointsAreItsInternalConnectionSettings()
    {
        var snapshot = TopologyBuilder.Build(LabTopology.Create());

        Assert.Equal(
            [
                new BackendEndpoint("cas2010a.contoso.lab", 993, BackendMethod.Ssl),
                new BackendEndpoint("cas2010a.contoso.lab", 143, BackendMethod.StartTls),
            ],
            snapshot.Servers["CAS2010A"].Endpoints[MailProtocol.Imap]);
        Assert.Equal([new BackendEndpoint("cas2010b.contoso.lab", 143, BackendMethod.Plain)], snapshot.Servers["CAS2010B"].Endpoints[MailProtocol.Imap]);
    }

    [Fact]
    public void Build_2010ClientAccessWithoutSettings_ExchangeDefaultSslAndTls()
    {
        var server = TopologyBuilder.Build(LabTopology.Create()).Servers["CAS2010A"];

        Assert.Equal(
            [
                new BackendEndpoint("cas2010a.contoso.lab", 995, BackendMethod.Ssl),
                new BackendEndpoint("cas2010a.contoso.lab", 110, BackendMethod.StartTls),
            ],
            server.Endpoints[MailProtocol.Pop3]);
    }

    [Fact]
    public void Build_BracketedIpv6Host_StoredWithoutBrackets()
    {
        var options = LabTopology.Create();
        options.Servers[0].Host = "[2001:db8::5]";

        var server = TopologyBuilder.Build(options).Servers["MBX2013"];

        Assert.Equal("2001:db8::5", server.Host);
        Assert.All(server.Endpoints[MailProtocol.Imap], e => Assert.Equal("2001:db8::5", e.Host));
    }

    [Fact]
    public void Build_SettingsNameNoServerHost_WarnsAboutLoadBalancer()
    {
        var options = LabTopology.Create();
        options.Servers[2].ImapInternalConnectionSettings = ["imap.contoso.lab:993:SSL", "CAS2010A.contoso.lab:143:TLS"];
        var logger = new RecordingLogger<TopologyBuilderTests>();

        var snapshot = TopologyBuilder.Build(options, logger);

        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(3207, warning.EventId.Id);
        Assert.Contains("imap.contoso.lab:993:Ssl", warning.Message, StringComparison.Ordinal);
        Assert.Contains("CAS2010A", warning.Message, StringComparison.Ordinal);
        Assert.Equal("imap.contoso.lab", snapshot.Servers["CAS2010A"].Endpoints[MailProtocol.Imap][0].Host);
    }

    [Fact]
    public void Build_Lab_LogsNothing()
    {
        var logger = new RecordingLogger<TopologyBuilderTests>();

        TopologyBuilder.Build(LabTopology.Create(), logger);

        Assert.Empty(logger.Entries);
    }

    public static TheoryData<string, Action<TopologyOptions>> InvalidTopologies => new()
    {
        { "Topology:LocalSite: missing", o => o.LocalSite = " " },
        { "Topology:LocalSite: 'Paris' is not one of Topology:Sites", o => o.LocalSite = "Paris" },
        { "Topology:Sites[2]: empty", o => o.Sites.Add("") },
        { "Topology:Sites[2]: 'hq' is a duplicate of Topology:Sites[0]", o => o.Sites.Add("hq") },
        { "Topology:Servers[2]:Site: 'Brnach' is not one of Topology:Sites", o => o.Servers[2].Site = "Brnach" },
        { "Topology:Servers[2]:Site: missing", o => o.Servers[2].Site = "" },
        { "Topology:Servers[1]:Name: missing", o => { o.Servers[1].Name = ""; o.Databases.RemoveAt(1); } },
        { "Topology:Servers[3]:Name: 'cas2010a' is a duplicate of Topology:Servers[2]", o => o.Servers[3].Name = "cas2010a" },
        { "Topology:Servers[0]:Host: missing", o => o.Servers[0].Host = "" },
        { "Topology:Servers[0]:Host: 'mbx 2013' is not a host name or IP address", o => o.Servers[0].Host = "mbx 2013" },
        { "Topology:Servers[0]:Version: '2003' is not one of 2007, 2010, 2013, 2016, 2019, SE", o => o.Servers[0].Version = "2003" },
        { "Topology:Servers[0]:Version: missing (2007, 2010, 2013, 2016, 2019 or SE)", o => o.Servers[0].Version = "" },
        { "Topology:Servers[0]:Roles[1]: 'Hub' is not Mailbox or ClientAccess", o => o.Servers[0].Roles = ["Mailbox", "Hub"] },
        { "Topology:Servers[0]:Imap:SslPort: 0 is not a port (1-65535)", o => o.Servers[0].Imap.SslPort = 0 },
        { "Topology:Servers[0]:Pop3:PlainPort: 70000 is not a port (1-65535)", o => o.Servers[0].Pop3.PlainPort = 70000 },
        { "Topology:Servers[2]:ImapInternalConnectionSettings[1]: 'cas2010a:143:STARTTLS': method 'STARTTLS' is not SSL, TLS, None or blank", o => o.Servers[2].ImapInternalConnectionSettings[1] = "cas2010a:143:STARTTLS" },
        { "Topology:Servers[2]:Pop3InternalConnectionSettings[0]: '2001:db8::1:995:SSL' is not host:port:SSL|TLS|None (too many ':'; write an IPv6 host in [brackets])", o => o.Servers[2].Pop3InternalConnectionSettings = ["2001:db8::1:995:SSL"] },
        { "Topology:Servers[5]:ImapInternalConnectionSettings: only a 2010 server with the ClientAccess role is dialled through InternalConnectionSettings; set its ports instead", o => o.Servers[5].ImapInternalConnectionSettings = ["cas2007a:993:SSL"] },
        { "Topology:Databases[0]:Server: no server named 'X'", o => o.Databases[0].Server = "X" },
        { "Topology:Databases[0]:Server: missing", o => o.Databases[0].Server = "" },
        { "Topology:Databases[0]:Server: 'CAS2010A' does not have the Mailbox role", o => o.Databases[0].Server = "cas2010a" },
        { "Topology:Databases[1]:Name: missing", o => o.Databases[1].Name = "" },
        { "Topology:Databases[1]:Name: 'db2013' is a duplicate of Topology:Databases[0]", o => o.Databases[1].Name = "db2013" },
    };

    [Theory]
    [MemberData(nameof(InvalidTopologies))]
    public void Build_Invalid_ErrorNamesKeyPathAndProblem(string expected, Action<TopologyOptions> breakIt)
    {
        var options = LabTopology.Create();
        breakIt(options);

        var error = Assert.Throws<TopologyValidationException>(() => TopologyBuilder.Build(options));

        Assert.Equal([expected], error.Errors);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SeveralProblems_AllReportedAtOnce()
    {
        var options = LabTopology.Create();
        options.LocalSite = "Paris";
        options.Servers[2].Site = "Brnach";
        options.Servers[4].Version = "5.5";
        options.Databases.Add(new DatabaseOptions { Name = "DBX", Server = "Nowhere" });

        var error = Assert.Throws<TopologyValidationException>(() => TopologyBuilder.Build(options));

        Assert.Equal(
            [
                "Topology:LocalSite: 'Paris' is not one of Topology:Sites",
                "Topology:Servers[2]:Site: 'Brnach' is not one of Topology:Sites",
                "Topology:Servers[4]:Version: '5.5' is not one of 2007, 2010, 2013, 2016, 2019, SE",
                "Topology:Databases[4]:Server: no server named 'Nowhere'",
            ],
            error.Errors);
    }

    [Fact]
    public void Build_NoSites_SitesAndLocalSiteReported()
    {
        var options = new TopologyOptions { LocalSite = "HQ" };

        var error = Assert.Throws<TopologyValidationException>(() => TopologyBuilder.Build(options));

        Assert.Equal(
            [
                "Topology:Sites: missing (list every Active Directory site, the proxy's own included)",
                "Topology:LocalSite: 'HQ' is not one of Topology:Sites",
            ],
            error.Errors);
    }

    [Fact]
    public void Build_DatabaseOnInvalidServer_OnlyTheServerIsReported()
    {
        var options = LabTopology.Create();
        options.Servers[0].Site = "Brnach";

        var error = Assert.Throws<TopologyValidationException>(() => TopologyBuilder.Build(options));

        Assert.Equal(["Topology:Servers[0]:Site: 'Brnach' is not one of Topology:Sites"], error.Errors);
    }
}
