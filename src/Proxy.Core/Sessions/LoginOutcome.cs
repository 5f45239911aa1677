using Proxy.Core.Backends;

namespace Proxy.Core.Sessions;

/// <summary>Result of steps 2–5 for one login: a logged-in backend, or why not.</summary>
/// <param name="UserLease">The session's place under MaxConnectionsPerUser; the caller disposes it when the session ends.</param>
/// <param name="User">The user's UPN, on success.</param>
internal readonly record struct LoginOutcome(BackendSession? Backend, LoginFailure Failure, IDisposable? UserLease = null, string? User = null)
{
    public static LoginOutcome Success(BackendSession backend, IDisposable userLease, string user) => new(backend, default, userLease, user);

    public static LoginOutcome Failed(LoginFailure failure) => new(null, failure);
}
