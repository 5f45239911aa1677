using Proxy.Core.Backends;

namespace Proxy.Core.Sessions;

/// <summary>Result of steps 2–5 for one login: a logged-in backend, or why not.</summary>
internal readonly record struct LoginOutcome(BackendSession? Backend, LoginFailure Failure)
{
    public static LoginOutcome Success(BackendSession backend) => new(backend, default);

    public static LoginOutcome Failed(LoginFailure failure) => new(null, failure);
}
