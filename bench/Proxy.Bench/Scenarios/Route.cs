using Proxy.Bench.Client;
using Proxy.Bench.Setup;

namespace Proxy.Bench.Scenarios;

/// <summary>
/// One row of a table: a system reached with a client-side security and a set of users (whose
/// database decides the backend leg the proxy and the Dovecot proxy take). A route the system
/// cannot do carries the reason instead.
/// </summary>
internal sealed record Route(string Label, MailSystem? System, Security Security, IReadOnlyList<BenchUser> Users, string? NotApplicable = null)
{
    /// <summary>Measured in full mode only (short mode must stay under 3 minutes).</summary>
    public bool FullOnly { get; init; }

    public static Route NotAvailable(string label, string reason) => new(label, null, Security.Plain, [], reason);

    public BenchUser User(int worker) => Users[worker % Users.Count];
}
