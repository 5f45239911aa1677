using System.Buffers;
using System.Text;
using Proxy.Core.Backends;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>Reads what a handed-over <see cref="BackendSession"/> delivers, as the relay would.</summary>
internal static class SessionReader
{
    /// <summary>Reads until <paramref name="expected"/> bytes arrived (or the backend closed), within a bound.</summary>
    public static async Task<string> ReadAsync(BackendSession session, int expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        while (true)
        {
            var result = await session.Input.ReadAsync(timeout.Token);
            if (result.Buffer.Length >= expected || result.IsCompleted)
            {
                var text = Encoding.UTF8.GetString(result.Buffer.ToArray());
                session.Input.AdvanceTo(result.Buffer.End);
                return text;
            }

            session.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
