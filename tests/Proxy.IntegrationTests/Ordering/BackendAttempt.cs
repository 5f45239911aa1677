using System.Text.RegularExpressions;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>One backend attempt as the proxy logged it (event 3300 succeeded, 3301 failed).</summary>
public sealed partial record BackendAttempt(bool Succeeded, string Server, string Endpoint, string Method, string Message)
{
    public const int SucceededEvent = 3300;
    public const int FailedEvent = 3301;
    public const int PlaintextWarningEvent = 3302;
    public const int UnavailableEvent = 3303;

    /// <summary>Port of <see cref="Endpoint"/> (<c>host:port:Method</c>).</summary>
    public int Port => int.Parse(Endpoint.Split(':')[1]);

    /// <summary>Every attempt in the order the proxy logged them.</summary>
    public static IReadOnlyList<BackendAttempt> All(LogCapture logs) =>
        logs.Entries
            .Where(e => e.EventId is SucceededEvent or FailedEvent)
            .Select(e =>
            {
                var match = Pattern().Match(e.Message);
                Assert.True(match.Success, $"Unexpected attempt message: {e.Message}");
                return new BackendAttempt(e.EventId == SucceededEvent, match.Groups["server"].Value, match.Groups["endpoint"].Value, match.Groups["method"].Value, e.Message);
            })
            .ToList();

    public override string ToString() => Message;

    [GeneratedRegex(@"^Backend (?<server>\S+) at (?<endpoint>\S+) method=(?<method>\w+):")]
    private static partial Regex Pattern();
}
