using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Policy;
using Proxy.Core.Tests.Discovery;

namespace Proxy.Core.Tests.Policy;

public sealed class SessionPolicyTests
{
    private readonly ProxyOptions _options = new() { ServerName = "PROXY01" };
    private readonly RecordingLogger<SessionPolicy> _logger = new();
    private readonly SessionPolicy _policy;

    public SessionPolicyTests() => _policy = new SessionPolicy(new FixedOptionsMonitor(_options), _logger);

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop3)]
    public void Evaluate_SameSite_Allowed(MailProtocol protocol)
    {
        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(protocol, User("alice@contoso.lab"), Location("HQ"), "HQ", "192.0.2.7"));
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Evaluate_SiteInOtherCase_SameSite()
    {
        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Imap, User("alice@contoso.lab"), Location("hq"), "HQ", null));
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP4")]
    [InlineData(MailProtocol.Pop3, "POP3")]
    public void Evaluate_OtherSiteByDefault_DeniedAndLoggedAsEvent1008(MailProtocol protocol, string protocolName)
    {
        var decision = _policy.Evaluate(protocol, User("alice@contoso.lab"), Location("Branch"), "HQ", "192.0.2.7");

        Assert.Equal(PolicyDecision.CrossSiteDenied, decision);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(1008, entry.EventId.Id);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(
            $"{protocolName}: The user \"alice@contoso.lab\" was prevented from connecting to their mailbox because the mailbox server is in another Active Directory site (Branch) than the Client Access server (PROXY01) they connected to. Place them in the same site or set AllowCrossSiteSessions to true. Client: 192.0.2.7.",
            entry.Message);
    }

    [Fact]
    public void Evaluate_CrossSiteAllowedForImapOnly_ImapAllowedPop3Denied()
    {
        _options.Imap.AllowCrossSiteSessions = true;

        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Imap, User("alice@contoso.lab"), Location("Branch"), "HQ", null));
        Assert.Equal(PolicyDecision.CrossSiteDenied, _policy.Evaluate(MailProtocol.Pop3, User("alice@contoso.lab"), Location("Branch"), "HQ", null));
    }

    [Fact]
    public void Evaluate_CrossSiteAllowedForPop3Only_Pop3AllowedImapDenied()
    {
        _options.Pop3.AllowCrossSiteSessions = true;

        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Pop3, User("alice@contoso.lab"), Location("Branch"), "HQ", null));
        Assert.Equal(PolicyDecision.CrossSiteDenied, _policy.Evaluate(MailProtocol.Imap, User("alice@contoso.lab"), Location("Branch"), "HQ", null));
    }

    [Fact]
    public void Evaluate_SettingChangedAtRuntime_NextCallUsesIt()
    {
        Assert.Equal(PolicyDecision.CrossSiteDenied, _policy.Evaluate(MailProtocol.Imap, User("alice@contoso.lab"), Location("Branch"), "HQ", null));

        _options.Imap.AllowCrossSiteSessions = true;

        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Imap, User("alice@contoso.lab"), Location("Branch"), "HQ", null));
    }

    [Fact]
    public void Evaluate_PrivilegedUserOnPop3ByDefault_DeniedWithRealReasonLogged()
    {
        var decision = _policy.Evaluate(MailProtocol.Pop3, User("boss@contoso.lab", privileged: true), Location("HQ"), "HQ", "192.0.2.7");

        Assert.Equal(PolicyDecision.PrivilegedAccountDenied, decision);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(3202, entry.EventId.Id);
        Assert.Contains("LogonFailed:PrivilegedAccount", entry.Message, StringComparison.Ordinal);
        Assert.Contains("\"boss@contoso.lab\"", entry.Message, StringComparison.Ordinal);
        Assert.Contains("POP3", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_PrivilegedUserOnImapByDefault_Allowed()
    {
        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Imap, User("boss@contoso.lab", privileged: true), Location("HQ"), "HQ", null));
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP4")]
    [InlineData(MailProtocol.Pop3, "POP3")]
    public void Evaluate_WellKnownAccountByDefault_DeniedOnBothProtocols(MailProtocol protocol, string protocolName)
    {
        var decision = _policy.Evaluate(protocol, User("administrator@contoso.lab"), Location("HQ"), "HQ", null);

        Assert.Equal(PolicyDecision.PrivilegedAccountDenied, decision);
        var entry = Assert.Single(_logger.Entries);
        Assert.Contains("LogonFailed:WellKnownAccount", entry.Message, StringComparison.Ordinal);
        Assert.Contains("DenyWellKnownAccounts", entry.Message, StringComparison.Ordinal);
        Assert.Contains(protocolName, entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_DenyWellKnownAccountsOff_WellKnownAllowedUnlessPrivilegedRuleApplies()
    {
        _options.Imap.DenyWellKnownAccounts = false;
        _options.Pop3.DenyWellKnownAccounts = false;

        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Imap, User("administrator@contoso.lab"), Location("HQ"), "HQ", null));
        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Pop3, User("administrator@contoso.lab"), Location("HQ"), "HQ", null));
        Assert.Equal(PolicyDecision.PrivilegedAccountDenied, _policy.Evaluate(MailProtocol.Pop3, User("administrator@contoso.lab", privileged: true), Location("HQ"), "HQ", null));
    }

    [Fact]
    public void Evaluate_ImapDenyPrivilegedAccounts_PrivilegedDenied()
    {
        _options.Imap.DenyPrivilegedAccounts = true;

        Assert.Equal(PolicyDecision.PrivilegedAccountDenied, _policy.Evaluate(MailProtocol.Imap, User("boss@contoso.lab", privileged: true), Location("HQ"), "HQ", null));
    }

    [Fact]
    public void Evaluate_Pop3DenyPrivilegedAccountsOff_PrivilegedAllowed()
    {
        _options.Pop3.DenyPrivilegedAccounts = false;

        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Pop3, User("boss@contoso.lab", privileged: true), Location("HQ"), "HQ", null));
    }

    [Theory]
    [InlineData("Administrator@contoso.lab")]
    [InlineData("administrator@fabrikam.lab")]
    [InlineData("GUEST@contoso.lab")]
    [InlineData("anonymous@contoso.lab")]
    [InlineData("Administrator")]
    public void Evaluate_WellKnownAccountOnPop3_DeniedAsWellKnownAccount(string upn)
    {
        var decision = _policy.Evaluate(MailProtocol.Pop3, User(upn), Location("HQ"), "HQ", null);

        Assert.Equal(PolicyDecision.PrivilegedAccountDenied, decision);
        Assert.Contains("LogonFailed:WellKnownAccount", Assert.Single(_logger.Entries).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("administrators@contoso.lab")]
    [InlineData("admin@contoso.lab")]
    [InlineData("guest.user@contoso.lab")]
    [InlineData("alice@administrator.lab")]
    public void Evaluate_NameOnlyResemblingWellKnownAccount_Allowed(string upn)
    {
        Assert.Equal(PolicyDecision.Allowed, _policy.Evaluate(MailProtocol.Pop3, User(upn), Location("HQ"), "HQ", null));
    }

    [Fact]
    public void Evaluate_PrivilegedAndCrossSite_PrivilegedReasonWins()
    {
        var decision = _policy.Evaluate(MailProtocol.Pop3, User("administrator@contoso.lab"), Location("Branch"), "HQ", null);

        Assert.Equal(PolicyDecision.PrivilegedAccountDenied, decision);
        Assert.Equal(3202, Assert.Single(_logger.Entries).EventId.Id);
    }

    [Fact]
    public void AddSessionPolicy_Resolves()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSessionPolicy();

        using var provider = services.BuildServiceProvider();

        Assert.IsType<SessionPolicy>(provider.GetService<ISessionPolicy>());
    }

    private static MailboxUser User(string upn, bool privileged = false) => new(upn, "DB", privileged);

    private static MailboxLocation Location(string site)
    {
        var server = new BackendServer("MBX", "mbx.contoso.lab", site, ServerVersion.Exchange2013, true, true,
            new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>(), new BackendTlsOptions());
        return new MailboxLocation(new MailboxDatabase("DB", "MBX"), server, site, [new BackendCandidate(server, [])]);
    }

    private sealed class FixedOptionsMonitor(ProxyOptions options) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue => options;

        public ProxyOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }
}
