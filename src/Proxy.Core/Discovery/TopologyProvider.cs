using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Discovery;

/// <summary>Holds the current snapshot; <see cref="Update"/> and <see cref="Reload"/> swap it whole, so readers never see half a topology.</summary>
internal sealed partial class TopologyProvider : ITopologyProvider
{
    private readonly Lock _reloadLock = new();
    private volatile TopologySnapshot _current;

    // The bound options the current snapshot was built from, serialised: an unchanged
    // section is not rebuilt (nor its warnings logged again) on every reload.
    private string? _source;

    public TopologyProvider(TopologySnapshot initial, TopologyOptions? source = null)
    {
        _current = initial;
        _source = source is null ? null : Serialize(source);
    }

    public TopologySnapshot Current => _current;

    public void Update(TopologySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _current = snapshot;
    }

    /// <summary>
    /// Binds the <c>Topology</c> section again and, when it changed and validates, swaps in
    /// the new snapshot. Sessions already running keep the snapshot they started with.
    /// </summary>
    /// <param name="check">Further problems the host knows of (a backend that is the proxy itself); any refuses the topology.</param>
    /// <returns>True when a new snapshot is in force, false when the section did not change.</returns>
    /// <exception cref="TopologyValidationException">The section is invalid; the previous topology stays in force.</exception>
    public bool Reload(IConfiguration configuration, ILogger logger, Func<TopologySnapshot, IReadOnlyList<string>>? check = null)
    {
        lock (_reloadLock)
        {
            try
            {
                var options = TopologyServiceCollectionExtensions.Bind(configuration);
                var source = Serialize(options);
                if (source == _source)
                {
                    return false;
                }

                var snapshot = TopologyBuilder.Build(options, logger);
                if (check?.Invoke(snapshot) is { Count: > 0 } problems)
                {
                    throw new TopologyValidationException(problems);
                }

                _current = snapshot;
                _source = source;
                Log.Reloaded(logger, snapshot.Servers.Count, snapshot.Databases.Count);
                return true;
            }
            catch (TopologyValidationException ex)
            {
                Log.ReloadFailed(logger, string.Join("; ", ex.Errors));
                throw;
            }
        }
    }

    private static string Serialize(TopologyOptions options) => JsonSerializer.Serialize(options);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3217, EventName = nameof(EventIds.TopologyReloaded), Level = LogLevel.Information,
            Message = "Topology reloaded: {ServerCount} servers, {DatabaseCount} databases.")]
        public static partial void Reloaded(ILogger logger, int serverCount, int databaseCount);

        [LoggerMessage(EventId = 3218, EventName = nameof(EventIds.TopologyReloadFailed), Level = LogLevel.Error,
            Message = "The reloaded topology is invalid; the previous one stays in force: {Errors}")]
        public static partial void ReloadFailed(ILogger logger, string errors);
    }
}
