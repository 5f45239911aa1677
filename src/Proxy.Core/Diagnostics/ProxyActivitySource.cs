using System.Diagnostics;

namespace Proxy.Core.Diagnostics;

/// <summary>One Activity per session, with children for each pipeline step.</summary>
public static class ProxyActivitySource
{
    public const string Name = "Proxy";

    public static ActivitySource Instance { get; } = new(Name);
}
