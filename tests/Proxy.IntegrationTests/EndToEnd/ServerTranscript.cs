using System.Text;
using MailKit;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// A MailKit protocol logger that keeps what the server said, for the exact response text
/// MailKit's exceptions leave out and for awaiting a line (such as "+ idling").
/// </summary>
internal sealed class ServerTranscript : IProtocolLogger
{
    private readonly StringBuilder _text = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Completes once the server has sent <paramref name="text"/> (earlier output counts).</summary>
    public Task WaitForAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_text)
        {
            if (_text.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((text, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        lock (_text)
        {
            _text.Append(Encoding.UTF8.GetString(buffer, offset, count));
            var all = _text.ToString();
            foreach (var waiter in _waiters.Where(w => all.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
    }

    public void Dispose()
    {
    }
}
