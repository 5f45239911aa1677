using Microsoft.Extensions.Logging;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Directory;

/// <summary>
/// Bounds how many password hashes are computed at once (<c>Proxy:PasswordVerification</c>).
/// PBKDF2 at 600,000 iterations is about 0.3 s of CPU, run on a thread-pool thread; a burst of
/// logins or guesses would otherwise take every pool thread and stall the relays of sessions
/// already logged in. A check waits for a slot at most the queue timeout; then the login is
/// answered "temporarily unavailable" rather than queued without end.
/// </summary>
internal sealed partial class PasswordVerificationGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly Func<TimeSpan> _queueTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <param name="queueTimeout">Read at every wait, so a changed setting applies to the next login.</param>
    public PasswordVerificationGate(int maxConcurrency, Func<TimeSpan> queueTimeout, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        MaxConcurrency = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _queueTimeout = queueTimeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public int MaxConcurrency { get; }

    /// <summary>Checks running now.</summary>
    public int InUse => MaxConcurrency - _slots.CurrentCount;

    /// <summary>Runs <paramref name="verify"/> in a slot; null when no slot became free within the queue timeout.</summary>
    public async ValueTask<bool?> VerifyAsync(Func<bool> verify, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verify);
        if (!_slots.Wait(0, CancellationToken.None))
        {
            var timeout = _queueTimeout();
            using var timer = new CancellationTokenSource(timeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Log.Busy(_logger, timeout, MaxConcurrency);
                return null;
            }
        }

        try
        {
            // Always on a pool thread: the session may be running on a socket event thread (inline
            // completions, ProxyHost), where 0.3 s of hashing would stall every session of that thread.
            return await Task.Run(verify, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3223, EventName = nameof(EventIds.PasswordVerificationBusy), Level = LogLevel.Warning,
            Message = "No password check slot became free within {QueueTimeout} (all {MaxConcurrency} busy); the login is answered 'temporarily unavailable' (Proxy:PasswordVerification).")]
        public static partial void Busy(ILogger logger, TimeSpan queueTimeout, int maxConcurrency);
    }
}
