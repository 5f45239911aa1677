namespace Proxy.Core.Backends;

/// <summary>
/// The closed set of backend outcome names: the <c>outcome</c> label of
/// <c>proxy.backend.attempts</c> and the <c>error.type</c> of the backend spans.
/// </summary>
public static class BackendOutcomes
{
    public static string Name(BackendFailureKind kind) => kind switch
    {
        BackendFailureKind.None => "success",
        BackendFailureKind.Connect => "connect_failed",
        BackendFailureKind.Timeout => "timeout",
        BackendFailureKind.Tls => "tls_failed",
        BackendFailureKind.BadGreeting => "bad_greeting",
        BackendFailureKind.NoStartTls => "no_starttls",
        BackendFailureKind.AuthRejected => "auth_rejected",
        BackendFailureKind.AuthTempFail => "auth_temporary_failure",
        BackendFailureKind.NoEndpoints => "no_endpoints",
        _ => "protocol_error",
    };
}
