using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Connect;

/// <summary>
/// Turns discovery's candidates into the ordered attempts the connector walks.
/// The method order is the Exchange 2013 CAS's, kept as data: a client whose
/// session is encrypted (implicit TLS, or STARTTLS/STLS done before login) gets
/// SSL, then STARTTLS, then plaintext; a client still in plaintext gets
/// plaintext, then SSL, then STARTTLS. Plaintext is dropped unless allowed.
/// </summary>
internal static class ConnectionPlanner
{
    private static readonly BackendMethod[] EncryptedClientOrder = [BackendMethod.Ssl, BackendMethod.StartTls, BackendMethod.Plain];
    private static readonly BackendMethod[] PlaintextClientOrder = [BackendMethod.Plain, BackendMethod.Ssl, BackendMethod.StartTls];

    public static IReadOnlyList<BackendMethod> MethodOrder(bool clientEncrypted, bool allowPlaintext) =>
        (clientEncrypted ? EncryptedClientOrder : PlaintextClientOrder)
            .Where(m => allowPlaintext || m != BackendMethod.Plain)
            .ToArray();

    /// <summary>
    /// Candidate by candidate (discovery's order), method by method, every endpoint
    /// of that method. An endpoint already planned for an earlier candidate (several
    /// 2010 CAS naming the same load balancer) is not dialled twice.
    /// </summary>
    public static IReadOnlyList<ConnectionAttempt> Plan(IReadOnlyList<BackendCandidate> candidates, bool clientEncrypted, bool allowPlaintext)
    {
        var methods = MethodOrder(clientEncrypted, allowPlaintext);
        var planned = new HashSet<(string Host, int Port, BackendMethod Method)>();
        var attempts = new List<ConnectionAttempt>();
        foreach (var candidate in candidates)
        {
            foreach (var method in methods)
            {
                foreach (var endpoint in candidate.Endpoints)
                {
                    if (endpoint.Method == method && planned.Add((endpoint.Host.ToLowerInvariant(), endpoint.Port, endpoint.Method)))
                    {
                        attempts.Add(new ConnectionAttempt(candidate.Server, endpoint));
                    }
                }
            }
        }

        return attempts;
    }
}
