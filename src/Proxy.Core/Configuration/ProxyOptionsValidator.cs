using Microsoft.Extensions.Options;

namespace Proxy.Core.Configuration;

/// <summary>
/// Start-up validation of the <c>Proxy</c> section. Every message names the
/// configuration key and the problem, so an operator can fix it without
/// reading code.
/// </summary>
internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        ValidateProtocol("Proxy:Imap", options.Imap, errors);
        ValidateProtocol("Proxy:Pop3", options.Pop3, errors);
        if (options.Imap.MaxLiteralSize is < 1 or > 1024 * 1024)
        {
            errors.Add($"Proxy:Imap:MaxLiteralSize: {options.Imap.MaxLiteralSize} must be between 1 and 1048576 bytes");
        }

        // Polly's timeout strategy accepts 10 ms to 24 h; say so at start rather than at the first login.
        PollyRange("Proxy:Backends:AttemptTimeout", options.Backends.AttemptTimeout, errors);
        PollyRange("Proxy:Backends:TotalTimeout", options.Backends.TotalTimeout, errors);
        PollyRange("Proxy:Backends:ConnectTimeout", options.Backends.ConnectTimeout, errors);

        var wantsTls = options.Imap.Listeners.Concat(options.Pop3.Listeners).Any(l => l.ImplicitTls);
        if (wantsTls && string.IsNullOrWhiteSpace(options.Tls.CertificateFile))
        {
            errors.Add("Proxy:Tls:CertificateFile: an implicit-TLS listener is configured but no certificate is");
        }

        if (!string.IsNullOrWhiteSpace(options.Tls.CertificateFile) && !File.Exists(options.Tls.CertificateFile))
        {
            errors.Add($"Proxy:Tls:CertificateFile: '{options.Tls.CertificateFile}' does not exist");
        }

        if (!string.IsNullOrWhiteSpace(options.Tls.KeyFile) && !File.Exists(options.Tls.KeyFile))
        {
            errors.Add($"Proxy:Tls:KeyFile: '{options.Tls.KeyFile}' does not exist");
        }

        if (string.IsNullOrWhiteSpace(options.TopologyFile))
        {
            errors.Add("Proxy:TopologyFile: required (a JSON file with a Topology section)");
        }
        else if (Path.IsPathRooted(options.TopologyFile) && !File.Exists(options.TopologyFile))
        {
            errors.Add($"Proxy:TopologyFile: '{options.TopologyFile}' does not exist");
        }

        if (string.IsNullOrWhiteSpace(options.DirectoryFile))
        {
            errors.Add("Proxy:DirectoryFile: required (a JSON file of users)");
        }

        var endpoints = new HashSet<(string, int)>();
        foreach (var (key, listener) in AllListeners(options))
        {
            if (!endpoints.Add((listener.Address.Trim(), listener.Port)))
            {
                errors.Add($"{key}: {listener.Address}:{listener.Port} is configured twice");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateProtocol(string key, MailProtocolOptions options, List<string> errors)
    {
        for (var i = 0; i < options.Listeners.Count; i++)
        {
            var listener = options.Listeners[i];
            if (listener.Port is < 1 or > 65535)
            {
                errors.Add($"{key}:Listeners:{i}:Port: {listener.Port} is not a TCP port (1-65535)");
            }

            try
            {
                Listening.MailListener.ParseAddress(listener.Address, $"{key}:Listeners:{i}");
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
            }
        }

        Positive($"{key}:PreAuthenticatedConnectionTimeout", options.PreAuthenticatedConnectionTimeout, errors);
        Positive($"{key}:AuthenticatedConnectionTimeout", options.AuthenticatedConnectionTimeout, errors);
        if (options.MaxCommandSize is < 64 or > 1024 * 1024)
        {
            errors.Add($"{key}:MaxCommandSize: {options.MaxCommandSize} must be between 64 and 1048576 bytes");
        }

        if (options.MaxFailedLoginAttempts < 1)
        {
            errors.Add($"{key}:MaxFailedLoginAttempts: {options.MaxFailedLoginAttempts} must be at least 1");
        }

        if (options.MaxBadCommands < 1)
        {
            errors.Add($"{key}:MaxBadCommands: {options.MaxBadCommands} must be at least 1");
        }

        if (options.MaxPreAuthenticatedDuration <= TimeSpan.Zero || options.MaxPreAuthenticatedDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{key}:MaxPreAuthenticatedDuration: {options.MaxPreAuthenticatedDuration} must be greater than zero and at most 1.00:00:00");
        }

        for (var i = 0; i < options.TrustedNetworks.Count; i++)
        {
            if (!NetworkList.TryParse(options.TrustedNetworks[i], out _, out var error))
            {
                errors.Add($"{key}:TrustedNetworks:{i}: {error}");
            }
        }
    }

    private static IEnumerable<(string Key, ListenerOptions Listener)> AllListeners(ProxyOptions options) =>
        options.Imap.Listeners.Select((l, i) => ($"Proxy:Imap:Listeners:{i}", l))
            .Concat(options.Pop3.Listeners.Select((l, i) => ($"Proxy:Pop3:Listeners:{i}", l)));

    private static void PollyRange(string key, TimeSpan value, List<string> errors)
    {
        if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromHours(24))
        {
            errors.Add($"{key}: {value} must be between 00:00:00.010 and 1.00:00:00");
        }
    }

    private static void Positive(string key, TimeSpan value, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key}: {value} must be greater than zero");
        }
    }
}
