using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Discovery;

/// <summary>
/// Validates the bound <see cref="TopologyOptions"/> into an immutable
/// <see cref="TopologySnapshot"/>, working out every server's endpoints per protocol.
/// </summary>
public static partial class TopologyBuilder
{
    private const string Root = "Topology";
    private const string MailboxRole = "Mailbox";
    private const string ClientAccessRole = "ClientAccess";

    /// <param name="logger">Receives warnings about a valid but doubtful topology (load-balancer names in InternalConnectionSettings).</param>
    /// <exception cref="TopologyValidationException">Carries every problem found.</exception>
    public static TopologySnapshot Build(TopologyOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        var sites = ReadSites(options.Sites, errors);
        var localSite = ReadSiteReference(options.LocalSite, $"{Root}:LocalSite", sites, errors);

        var servers = new Dictionary<string, BackendServer>(StringComparer.OrdinalIgnoreCase);
        var serverIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var connectionSettings = new List<(BackendServer Server, MailProtocol Protocol, BackendEndpoint Endpoint)>();
        for (var i = 0; i < options.Servers.Count; i++)
        {
            var server = ReadServer(options.Servers[i], $"{Root}:Servers[{i}]", sites, connectionSettings, errors);
            if (server is null)
            {
                continue;
            }

            if (serverIndex.TryGetValue(server.Name, out var first))
            {
                errors.Add($"{Root}:Servers[{i}]:Name: '{server.Name}' is a duplicate of {Root}:Servers[{first}]");
                continue;
            }

            serverIndex[server.Name] = i;
            servers[server.Name] = server;
        }

        var configuredNames = options.Servers
            .Select(s => s?.Name?.Trim())
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var databases = ReadDatabases(options.Databases, servers, configuredNames, errors);

        if (errors.Count > 0)
        {
            throw new TopologyValidationException(errors);
        }

        WarnAboutLoadBalancerNames(servers.Values, connectionSettings, logger ?? NullLogger.Instance);
        return new TopologySnapshot(
            localSite!,
            sites.Values.ToList(),
            servers.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            databases.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Sites keyed case-insensitively, each mapping to its spelling in <c>Topology:Sites</c>.</summary>
    private static Dictionary<string, string> ReadSites(List<string> configured, List<string> errors)
    {
        var sites = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (configured.Count == 0)
        {
            errors.Add($"{Root}:Sites: missing (list every Active Directory site, the proxy's own included)");
        }

        for (var i = 0; i < configured.Count; i++)
        {
            var site = configured[i]?.Trim();
            if (string.IsNullOrEmpty(site))
            {
                errors.Add($"{Root}:Sites[{i}]: empty");
            }
            else if (index.TryGetValue(site, out var first))
            {
                errors.Add($"{Root}:Sites[{i}]: '{site}' is a duplicate of {Root}:Sites[{first}]");
            }
            else
            {
                index[site] = i;
                sites[site] = site;
            }
        }

        return sites;
    }

    private static string? ReadSiteReference(string? value, string key, Dictionary<string, string> sites, List<string> errors)
    {
        var site = value?.Trim();
        if (string.IsNullOrEmpty(site))
        {
            errors.Add($"{key}: missing");
            return null;
        }

        if (!sites.TryGetValue(site, out var canonical))
        {
            errors.Add($"{key}: '{site}' is not one of {Root}:Sites");
            return null;
        }

        return canonical;
    }

    private static BackendServer? ReadServer(
        ServerOptions? options,
        string key,
        Dictionary<string, string> sites,
        List<(BackendServer, MailProtocol, BackendEndpoint)> connectionSettings,
        List<string> errors)
    {
        if (options is null)
        {
            errors.Add($"{key}: empty");
            return null;
        }

        var errorCount = errors.Count;
        var name = options.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add($"{key}:Name: missing");
        }

        var host = HostName.Normalize(options.Host);
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{key}:Host: missing");
        }
        else if (host is null)
        {
            errors.Add($"{key}:Host: '{options.Host}' is not a host name or IP address");
        }

        var site = ReadSiteReference(options.Site, $"{key}:Site", sites, errors);
        var version = ReadVersion(options.Version, $"{key}:Version", errors);
        var (isMailbox, isClientAccess) = ReadRoles(options.Roles, $"{key}:Roles", errors);
        CheckPorts(options.Imap, $"{key}:Imap", errors);
        CheckPorts(options.Pop3, $"{key}:Pop3", errors);

        // Only a 2010 CAS is dialled through its InternalConnectionSettings; elsewhere they would be silently ignored.
        var usesConnectionSettings = version == ServerVersion.Exchange2010 && isClientAccess;
        var imapSettings = ReadConnectionSettings(options.ImapInternalConnectionSettings, $"{key}:ImapInternalConnectionSettings", usesConnectionSettings, errors);
        var pop3Settings = ReadConnectionSettings(options.Pop3InternalConnectionSettings, $"{key}:Pop3InternalConnectionSettings", usesConnectionSettings, errors);

        if (errors.Count != errorCount)
        {
            return null;
        }

        var endpoints = new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>
        {
            [MailProtocol.Imap] = usesConnectionSettings
                ? imapSettings.Count > 0 ? imapSettings : ExchangeDefaultConnectionSettings(host!, options.Imap)
                : FromPorts(host!, options.Imap),
            [MailProtocol.Pop3] = usesConnectionSettings
                ? pop3Settings.Count > 0 ? pop3Settings : ExchangeDefaultConnectionSettings(host!, options.Pop3)
                : FromPorts(host!, options.Pop3),
        };

        var server = new BackendServer(name!, host!, site!, version!.Value, isMailbox, isClientAccess, endpoints.ToFrozenDictionary(), options.Tls ?? new BackendTlsOptions())
        {
            ForwardClientAddress = options.ForwardClientAddress,
        };
        connectionSettings.AddRange(imapSettings.Select(e => (server, MailProtocol.Imap, e)));
        connectionSettings.AddRange(pop3Settings.Select(e => (server, MailProtocol.Pop3, e)));
        return server;
    }

    private static ServerVersion? ReadVersion(string? value, string key, List<string> errors)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case "2007":
                return ServerVersion.Exchange2007;
            case "2010":
                return ServerVersion.Exchange2010;
            case "2013" or "2016" or "2019" or "SE":
                return ServerVersion.Exchange2013;
            case null or "":
                errors.Add($"{key}: missing (2007, 2010, 2013, 2016, 2019 or SE)");
                return null;
            default:
                errors.Add($"{key}: '{value}' is not one of 2007, 2010, 2013, 2016, 2019, SE");
                return null;
        }
    }

    private static (bool IsMailbox, bool IsClientAccess) ReadRoles(List<string>? roles, string key, List<string> errors)
    {
        if (roles is null || roles.Count == 0)
        {
            return (true, true);
        }

        bool mailbox = false, clientAccess = false;
        for (var i = 0; i < roles.Count; i++)
        {
            var role = roles[i]?.Trim();
            if (string.Equals(role, MailboxRole, StringComparison.OrdinalIgnoreCase))
            {
                mailbox = true;
            }
            else if (string.Equals(role, ClientAccessRole, StringComparison.OrdinalIgnoreCase))
            {
                clientAccess = true;
            }
            else
            {
                errors.Add($"{key}[{i}]: '{role}' is not {MailboxRole} or {ClientAccessRole}");
            }
        }

        return (mailbox, clientAccess);
    }

    private static void CheckPorts(ProtocolPortsOptions? ports, string key, List<string> errors)
    {
        if (ports?.SslPort is { } ssl and (< 1 or > 65535))
        {
            errors.Add($"{key}:SslPort: {ssl} is not a port (1-65535)");
        }

        if (ports?.PlainPort is { } plain and (< 1 or > 65535))
        {
            errors.Add($"{key}:PlainPort: {plain} is not a port (1-65535)");
        }
    }

    private static List<BackendEndpoint> ReadConnectionSettings(List<string>? entries, string key, bool used, List<string> errors)
    {
        var endpoints = new List<BackendEndpoint>();
        if (entries is null || entries.Count == 0)
        {
            return endpoints;
        }

        if (!used)
        {
            errors.Add($"{key}: only a 2010 server with the {ClientAccessRole} role is dialled through InternalConnectionSettings; set its ports instead");
            return endpoints;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (InternalConnectionSetting.TryParse(entries[i], out var endpoint, out var error))
            {
                endpoints.Add(endpoint);
            }
            else
            {
                errors.Add($"{key}[{i}]: {error}");
            }
        }

        return endpoints;
    }

    /// <summary>
    /// A server dialled on its own ports: the SSL port with implicit TLS; the plain
    /// port with STARTTLS when offered, and plaintext (which the planner drops unless allowed).
    /// </summary>
    private static List<BackendEndpoint> FromPorts(string host, ProtocolPortsOptions? ports)
    {
        var endpoints = new List<BackendEndpoint>();
        if (ports?.SslPort is { } ssl)
        {
            endpoints.Add(new BackendEndpoint(host, ssl, BackendMethod.Ssl));
        }

        if (ports?.PlainPort is { } plain)
        {
            if (ports.StartTls)
            {
                endpoints.Add(new BackendEndpoint(host, plain, BackendMethod.StartTls));
            }

            endpoints.Add(new BackendEndpoint(host, plain, BackendMethod.Plain));
        }

        return endpoints;
    }

    /// <summary>What Exchange 2010 uses when InternalConnectionSettings is empty: <c>&lt;FQDN&gt;:993:SSL, &lt;FQDN&gt;:143:TLS</c>.</summary>
    private static List<BackendEndpoint> ExchangeDefaultConnectionSettings(string host, ProtocolPortsOptions? ports)
    {
        var endpoints = new List<BackendEndpoint>();
        if (ports?.SslPort is { } ssl)
        {
            endpoints.Add(new BackendEndpoint(host, ssl, BackendMethod.Ssl));
        }

        if (ports?.PlainPort is { } plain)
        {
            endpoints.Add(new BackendEndpoint(host, plain, BackendMethod.StartTls));
        }

        return endpoints;
    }

    private static Dictionary<string, MailboxDatabase> ReadDatabases(
        List<DatabaseOptions> configured,
        Dictionary<string, BackendServer> servers,
        HashSet<string> configuredServerNames,
        List<string> errors)
    {
        var databases = new Dictionary<string, MailboxDatabase>(StringComparer.OrdinalIgnoreCase);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < configured.Count; i++)
        {
            var key = $"{Root}:Databases[{i}]";
            var options = configured[i];
            var name = options?.Name?.Trim();
            var serverName = options?.Server?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                errors.Add($"{key}:Name: missing");
            }
            else if (index.TryGetValue(name, out var first))
            {
                errors.Add($"{key}:Name: '{name}' is a duplicate of {Root}:Databases[{first}]");
                name = null;
            }

            BackendServer? server = null;
            if (string.IsNullOrEmpty(serverName))
            {
                errors.Add($"{key}:Server: missing");
            }
            else if (!servers.TryGetValue(serverName, out server))
            {
                // A server that failed its own validation is already reported; do not call it unknown.
                if (!configuredServerNames.Contains(serverName))
                {
                    errors.Add($"{key}:Server: no server named '{serverName}'");
                }
            }
            else if (!server.IsMailbox)
            {
                errors.Add($"{key}:Server: '{server.Name}' does not have the {MailboxRole} role");
                server = null;
            }

            if (name is not null && server is not null)
            {
                index[name] = i;
                databases[name] = new MailboxDatabase(name, server.Name);
            }
        }

        return databases;
    }

    private static void WarnAboutLoadBalancerNames(
        IEnumerable<BackendServer> servers,
        List<(BackendServer Server, MailProtocol Protocol, BackendEndpoint Endpoint)> connectionSettings,
        ILogger logger)
    {
        var hosts = servers.Select(s => s.Host).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (server, protocol, endpoint) in connectionSettings)
        {
            if (!hosts.Contains(endpoint.Host))
            {
                Log.LoadBalancerName(logger, server.Name, protocol, endpoint.ToString(), endpoint.Host);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3207, EventName = nameof(EventIds.LoadBalancerNameInConnectionSettings), Level = LogLevel.Warning,
            Message = "The {Protocol} InternalConnectionSettings of {Server} name {Endpoint}, but {Host} is no server of the topology; it is probably a load balancer. It is dialled as written, but Microsoft advises pointing InternalConnectionSettings at the CAS's own FQDN.")]
        public static partial void LoadBalancerName(ILogger logger, string server, MailProtocol protocol, string endpoint, string host);
    }
}
