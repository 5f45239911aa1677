using Proxy.Core.Backends;

namespace Proxy.Core.Sessions;

/// <summary>Result of steps 2–5 for one login: a logged-in backend, or why not.</summary>
/// <param name="UserLease">The session's place under MaxConnectionsPerUser; the caller disposes it when the session ends.</param>
internal readonly record struct LoginOutcome(BackendSession? Backend, LoginFailure Failure, IDisposable? UserLease = null)
{
    public static LoginOutcome Success(BackendSession backend, IDisposable userLease) => new(backend, default, userLease);

    public static LoginOutcome Failed(LoginFailure failure) => new(null, failure);
}
