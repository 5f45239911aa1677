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
        ValidateBruteForce(options.BruteForce, errors);
        ValidatePasswordVerification(options.PasswordVerification, errors);
        Backends.Health.HealthOptionsValidation.Validate(options.Health, errors);
        Diagnostics.Status.DashboardOptionsValidation.Validate(options.Dashboard, errors);

        var wantsTls = options.Imap.Listeners.Concat(options.Pop3.Listeners).Any(l => l.ImplicitTls);
        if (wantsTls && string.IsNullOrWhiteSpace(options.Tls.CertificateFile))
        {
            errors.Add("Proxy:Tls:CertificateFile: an implicit-TLS listener is configured but no certificate is");
        }

        FrontEndTlsValidator.Validate(options.Tls, errors);

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

        if (options.ShutdownDrainTimeout < TimeSpan.Zero || options.ShutdownDrainTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"Proxy:ShutdownDrainTimeout: {options.ShutdownDrainTimeout} must be between 00:00:00 and 01:00:00");
        }

        if (options.Admin.Token is { Length: > 0 } token && (token.Trim().Length < AdminOptions.MinimumTokenLength || token.Trim() != token))
        {
            errors.Add($"Proxy:Admin:Token: must be at least {AdminOptions.MinimumTokenLength} characters without leading or trailing spaces (the value is not shown)");
        }

        var endpoints = new HashSet<(string, int)>();
        foreach (var (key, listener) in AllListeners(options))
        {
            if (!endpoints.Add((listener.Address.Trim(), listener.Port)))
            {
                errors.Add($"{key}: {listener.Address}:{listener.Port} is configured twice");
            }
        }

        ValidateOtlpEndpoint(options.Telemetry.Otlp.Endpoint, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The public form of the check, for the host, which reads the endpoint before validation runs.</summary>
    public static bool IsValidOtlpEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void ValidateOtlpEndpoint(string? endpoint, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(endpoint) && !IsValidOtlpEndpoint(endpoint))
        {
            errors.Add($"Proxy:Telemetry:Otlp:Endpoint: '{endpoint}' is not an absolute http:// or https:// address");
        }
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

        AtLeastOne($"{key}:MaxConnections", options.MaxConnections, errors);
        AtLeastOne($"{key}:MaxConnectionFromSingleIP", options.MaxConnectionFromSingleIP, errors);
        AtLeastOne($"{key}:MaxConnectionsPerUser", options.MaxConnectionsPerUser, errors);
    }

    private static void ValidateBruteForce(BruteForceOptions options, List<string> errors)
    {
        const string Key = "Proxy:BruteForce";
        Positive($"{Key}:Window", options.Window, errors);
        Positive($"{Key}:LockoutDuration", options.LockoutDuration, errors);
        if (options.TarpitDelay < TimeSpan.Zero)
        {
            errors.Add($"{Key}:TarpitDelay: {options.TarpitDelay} must not be negative");
        }

        if (options.MaxTarpitDelay < options.TarpitDelay || options.MaxTarpitDelay > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Key}:MaxTarpitDelay: {options.MaxTarpitDelay} must lie between TarpitDelay ({options.TarpitDelay}) and 00:05:00");
        }

        NotNegative($"{Key}:UserAndAddressTarpitAfter", options.UserAndAddressTarpitAfter, errors);
        NotNegative($"{Key}:UserAndAddressLockoutAfter", options.UserAndAddressLockoutAfter, errors);
        NotNegative($"{Key}:AddressTarpitAfter", options.AddressTarpitAfter, errors);
        NotNegative($"{Key}:AddressLockoutAfter", options.AddressLockoutAfter, errors);
        NotNegative($"{Key}:UserTarpitAfter", options.UserTarpitAfter, errors);
        if (options.MaxTrackedKeys is < 100 or > 10_000_000)
        {
            errors.Add($"{Key}:MaxTrackedKeys: {options.MaxTrackedKeys} must be between 100 and 10000000");
        }
    }

    private static void ValidatePasswordVerification(PasswordVerificationOptions options, List<string> errors)
    {
        if (options.MaxConcurrency is < 0 or > 1024)
        {
            errors.Add($"Proxy:PasswordVerification:MaxConcurrency: {options.MaxConcurrency} must be between 0 (processors - 1) and 1024");
        }

        Positive("Proxy:PasswordVerification:QueueTimeout", options.QueueTimeout, errors);
    }

    private static void AtLeastOne(string key, int value, List<string> errors)
    {
        if (value < 1)
        {
            errors.Add($"{key}: {value} must be at least 1");
        }
    }

    private static void NotNegative(string key, int value, List<string> errors)
    {
        if (value < 0)
        {
            errors.Add($"{key}: {value} must not be negative (0 turns it off)");
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
