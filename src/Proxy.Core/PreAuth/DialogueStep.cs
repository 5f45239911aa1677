using Proxy.Core.Sessions;

namespace Proxy.Core.PreAuth;

/// <summary>What one client command led to: keep reading, end the session, or hand credentials over.</summary>
internal readonly record struct DialogueStep(bool Ends, LoginRequest? Login)
{
    public static DialogueStep Continue => default;

    public static DialogueStep End => new(true, null);

    public static DialogueStep LoggedIn(LoginRequest login) => new(false, login);
}
