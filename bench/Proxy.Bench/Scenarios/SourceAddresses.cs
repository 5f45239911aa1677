using System.Net;

namespace Proxy.Bench.Scenarios;

/// <summary>
/// Client source addresses, round robin over 127.0.1.1-127.0.1.32: a run opens well over
/// 100,000 connections, and one address has only 28,000 ephemeral ports (some in TIME_WAIT).
/// </summary>
internal static class SourceAddresses
{
    private const int Count = 32;
    private static int _next;

    public static IPAddress Next()
    {
        var n = (int)((uint)Interlocked.Increment(ref _next) % Count);
        return new IPAddress([127, 0, 1, (byte)(n + 1)]);
    }
}
