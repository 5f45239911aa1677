namespace Proxy.Core.Backends.Health;

/// <summary>
/// The last failure seen on an endpoint. <see cref="Message"/> is short and holds no
/// secret: backend lines are sanitised and the password masked before they get here.
/// </summary>
public sealed record HealthError(BackendFailureKind Kind, string Message, HealthSource Source, DateTimeOffset At);
