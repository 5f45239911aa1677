namespace Proxy.Core.Sessions;

/// <summary>Where a live session is in the pipeline.</summary>
public enum SessionState
{
    /// <summary>Step 1: greeting, pre-auth commands, waiting for credentials.</summary>
    PreAuth,
    /// <summary>Steps 2-5: credentials offered; authenticating, locating, connecting to the backend.</summary>
    LoggingIn,
    /// <summary>Step 6: logged in at the backend; bytes are relayed.</summary>
    Relaying,
}
