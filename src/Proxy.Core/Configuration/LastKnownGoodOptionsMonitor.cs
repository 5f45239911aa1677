using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Proxy.Core.Configuration;

/// <summary>
/// The <see cref="IOptionsMonitor{TOptions}"/> of <see cref="ProxyOptions"/>: hands out only
/// options that passed validation. The stock monitor rebuilds on every configuration change
/// and throws <see cref="OptionsValidationException"/> from <c>CurrentValue</c> once the files
/// hold an invalid value, which would fail every new session. This one changes only through
/// <see cref="Apply"/>, which the reloader calls after <see cref="TryCreate"/> succeeded, so the
/// last good options stay in force while the files are wrong. Consumers keep reading
/// <c>CurrentValue</c> per session and need not know.
/// </summary>
internal sealed class LastKnownGoodOptionsMonitor(IOptionsFactory<ProxyOptions> factory) : IOptionsMonitor<ProxyOptions>
{
    private readonly Lock _lock = new();
    private readonly List<Listener> _listeners = [];
    private volatile ProxyOptions? _current;

    public ProxyOptions CurrentValue
    {
        get
        {
            if (_current is { } current)
            {
                return current;
            }

            lock (_lock)
            {
                // The first read validates like start-up does: with nothing to fall back to, invalid options throw.
                return _current ??= factory.Create(Options.DefaultName);
            }
        }
    }

    public ProxyOptions Get(string? name) =>
        string.IsNullOrEmpty(name) ? CurrentValue : factory.Create(name);

    public IDisposable OnChange(Action<ProxyOptions, string?> listener)
    {
        var registration = new Listener(this, listener);
        lock (_lock)
        {
            _listeners.Add(registration);
        }

        return registration;
    }

    /// <summary>Binds and validates the configuration as it is now, without putting it in force.</summary>
    /// <param name="errors">Each problem, naming its configuration key.</param>
    public bool TryCreate([NotNullWhen(true)] out ProxyOptions? candidate, out IReadOnlyList<string> errors)
    {
        try
        {
            candidate = factory.Create(Options.DefaultName);
            errors = [];
            return true;
        }
        catch (OptionsValidationException ex)
        {
            errors = [.. ex.Failures];
        }
        catch (InvalidOperationException ex)
        {
            // The binder's "Failed to convert configuration value at 'Proxy:…' to type …" names the key.
            errors = [ex.Message];
        }

        candidate = null;
        return false;
    }

    /// <summary>Puts validated options in force and tells the <see cref="OnChange"/> listeners.</summary>
    public void Apply(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Listener[] listeners;
        lock (_lock)
        {
            _current = options;
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener.Callback(options, Options.DefaultName);
        }
    }

    private sealed class Listener(LastKnownGoodOptionsMonitor owner, Action<ProxyOptions, string?> callback) : IDisposable
    {
        public Action<ProxyOptions, string?> Callback { get; } = callback;

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._listeners.Remove(this);
            }
        }
    }
}
