namespace Proxy.Core.Backends.Health;

/// <summary>Who observed an endpoint.</summary>
public enum HealthSource
{
    /// <summary>An active probe (never logs in).</summary>
    Probe,

    /// <summary>A real session's backend attempt.</summary>
    Session,
}
