namespace Proxy.Core.Discovery;

/// <summary>The <c>Topology</c> section is invalid; <see cref="Errors"/> lists every problem at once.</summary>
public sealed class TopologyValidationException(IReadOnlyList<string> errors)
    : Exception($"The topology is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}")
{
    /// <summary>Each problem, naming its key path first, e.g. <c>Topology:Databases[0]:Server: no server named 'X'</c>.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
