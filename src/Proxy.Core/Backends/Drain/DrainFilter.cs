using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Drain;

/// <summary>
/// Step 5, between planning and connecting: drops the attempts whose endpoint is
/// draining. Kept apart from the planner's ordering (and from health) so each stays
/// one small rule. When every attempt is dropped the connector finds an empty plan
/// and the client hears UNAVAILABLE / [SYS/TEMP].
/// </summary>
internal static class DrainFilter
{
    public static IReadOnlyList<ConnectionAttempt> Apply(IDrainState drains, MailProtocol protocol, IReadOnlyList<ConnectionAttempt> attempts, out int skipped)
    {
        skipped = 0;
        List<ConnectionAttempt>? kept = null;
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            if (drains.IsDraining(attempt.Server.Name, protocol, attempt.Endpoint.Method))
            {
                // Copy only once something is dropped: with nothing draining the plan passes through as it is.
                kept ??= [.. attempts.Take(i)];
                skipped++;
            }
            else
            {
                kept?.Add(attempt);
            }
        }

        return kept ?? attempts;
    }
}
