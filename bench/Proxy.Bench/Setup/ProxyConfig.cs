using System.Text.Json;
using System.Text.Json.Nodes;
using Proxy.Core.Directory;

namespace Proxy.Bench.Setup;

/// <summary>
/// The proxy's configuration for a run: proxy.json (listeners, plaintext allowed on both legs
/// so plaintext can be measured, the shipped log levels), topology.json (two servers on the one
/// backend, see <see cref="BenchUsers"/>) and directory.json (PBKDF2 hashes at the product
/// default of 600,000 iterations; made once and kept, about 30 s of CPU).
/// </summary>
internal static class ProxyConfig
{
    public static string WriteAll(string directory, MailPorts ports, int httpPort, MailPorts backend, BenchPki pki, string directoryCache)
    {
        System.IO.Directory.CreateDirectory(directory);
        var topology = Path.Combine(directory, "topology.json");
        File.WriteAllText(topology, Topology(backend, pki).ToJsonString(Indented));
        var users = Path.Combine(directory, "directory.json");
        File.Copy(EnsureDirectory(directoryCache), users, overwrite: true);
        var config = Path.Combine(directory, "proxy.json");
        File.WriteAllText(config, Settings(ports, httpPort, topology, users, pki).ToJsonString(Indented));
        return config;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static JsonObject Settings(MailPorts ports, int httpPort, string topology, string users, BenchPki pki)
    {
        JsonArray Listeners(int plain, int tls) =>
        [
            new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = plain },
            new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = tls, ["ImplicitTls"] = true },
        ];

        // The connection limits (defaults 2,000 per protocol, 20 per address, 16 per user) would refuse
        // the benchmark's own load: 9,000 idle sessions of one user from 32 addresses, 64 clients
        // logging in as a handful of users. Raised past anything a run opens, as for nginx and Dovecot.
        static JsonObject Protocol(JsonArray listeners) => new()
        {
            ["Listeners"] = listeners,
            ["LoginType"] = "PlainTextLogin",
            ["MaxConnections"] = 12_000,
            ["MaxConnectionFromSingleIP"] = 12_000,
            ["MaxConnectionsPerUser"] = 12_000,
        };

        return new JsonObject
        {
            // The shipped log levels (src/Proxy.Host/appsettings.json): Information, a line or two per session, as Dovecot logs.
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information", ["Microsoft.AspNetCore"] = "Warning" } },
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Proxy"] = new JsonObject
            {
                ["ServerName"] = "BENCH-PROXY",
                ["TopologyFile"] = topology,
                ["DirectoryFile"] = users,
                ["Tls"] = new JsonObject { ["CertificateFile"] = pki.CertificatePath, ["KeyFile"] = pki.KeyPath },
                ["Imap"] = Protocol(Listeners(ports.Imap, ports.ImapTls)),
                ["Pop3"] = Protocol(Listeners(ports.Pop3, ports.Pop3Tls)),
                ["Backends"] = new JsonObject { ["AllowPlaintext"] = true },
            },
        };
    }

    private static JsonObject Topology(MailPorts backend, BenchPki pki)
    {
        JsonObject Server(string name, bool tls) => new()
        {
            ["Name"] = name,
            ["Host"] = "127.0.0.1",
            ["Site"] = "BENCH",
            ["Version"] = "2013",
            ["Roles"] = new JsonArray("Mailbox", "ClientAccess"),
            ["Imap"] = tls
                ? new JsonObject { ["SslPort"] = backend.ImapTls, ["PlainPort"] = backend.Imap, ["StartTls"] = true }
                : new JsonObject { ["PlainPort"] = backend.Imap, ["StartTls"] = false },
            ["Pop3"] = tls
                ? new JsonObject { ["SslPort"] = backend.Pop3Tls, ["PlainPort"] = backend.Pop3, ["StartTls"] = true }
                : new JsonObject { ["PlainPort"] = backend.Pop3, ["StartTls"] = false },
            ["Tls"] = new JsonObject { ["CaFile"] = pki.CaPath, ["ServerName"] = "localhost" },
        };

        return new JsonObject
        {
            ["Topology"] = new JsonObject
            {
                ["LocalSite"] = "BENCH",
                ["Sites"] = new JsonArray("BENCH"),
                ["Servers"] = new JsonArray(Server("BENCH-TLS", tls: true), Server("BENCH-PLAIN", tls: false)),
                ["Databases"] = new JsonArray(
                    new JsonObject { ["Name"] = BenchUsers.TlsDatabase, ["Server"] = "BENCH-TLS" },
                    new JsonObject { ["Name"] = BenchUsers.PlainDatabase, ["Server"] = "BENCH-PLAIN" }),
            },
        };
    }

    /// <summary>The directory file, generated when missing or when it lacks a user of this version of the benchmark.</summary>
    private static string EnsureDirectory(string path)
    {
        var wanted = BenchUsers.All.ToList();
        if (File.Exists(path))
        {
            var existing = JsonNode.Parse(File.ReadAllText(path))?["Users"]?.AsArray()
                .Select(u => (string?)u?["UserPrincipalName"]).ToHashSet();
            if (existing is not null && wanted.All(u => existing.Contains(u.Name)))
            {
                return path;
            }
        }

        Console.Error.WriteLine($"bench: hashing {wanted.Count} passwords with PBKDF2 ({PasswordHasher.DefaultIterations:N0} iterations); kept for later runs in {path}");
        var hashes = new string[wanted.Count];
        Parallel.For(0, wanted.Count, i => hashes[i] = PasswordHasher.Hash(BenchUsers.Password));
        var users = new JsonArray(wanted.Select((u, i) => (JsonNode)new JsonObject
        {
            ["UserPrincipalName"] = u.Name,
            ["PasswordHash"] = hashes[i],
            ["Database"] = u.Database,
        }).ToArray());
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, new JsonObject { ["NetBiosDomain"] = "BENCH", ["Users"] = users }.ToJsonString(Indented));
        return path;
    }
}
