using Proxy.Core.Backends;

namespace Proxy.Core.Sessions;

/// <summary>Result of steps 2–5 for one login: a logged-in backend, or why not.</summary>
/// <param name="User">The user's UPN, on success.</param>
internal readonly record struct LoginOutcome(BackendSession? Backend, LoginFailure Failure, string? User = null)
{
    public static LoginOutcome Success(BackendSession backend, string user) => new(backend, default, user);

    public static LoginOutcome Failed(LoginFailure failure) => new(null, failure);
}
