using Proxy.Core.Listening;

namespace Proxy.Core.Configuration;

/// <summary>
/// Start-up checks of <c>Proxy:Tls</c> that need no file: the shape of the SNI entries and
/// the reload settings. Whether the files load is found by loading them (event 2007).
/// </summary>
internal static class FrontEndTlsValidator
{
    private const string Key = "Proxy:Tls";

    public static void Validate(FrontEndTlsOptions options, List<string> errors)
    {
        if (options.Certificates.Count > 0 && string.IsNullOrWhiteSpace(options.CertificateFile))
        {
            errors.Add($"{Key}:CertificateFile: required when {Key}:Certificates is set (the certificate for clients that send no or an unknown server name)");
        }

        if (options.ReloadCheckInterval < TimeSpan.FromSeconds(1) || options.ReloadCheckInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{Key}:ReloadCheckInterval: {options.ReloadCheckInterval} must be between 00:00:01 and 1.00:00:00");
        }

        if (options.ExpiryWarningDays is < 0 or > 3650)
        {
            errors.Add($"{Key}:ExpiryWarningDays: {options.ExpiryWarningDays} must be between 0 (no warning) and 3650");
        }

        var claimedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Certificates.Count; i++)
        {
            var entry = options.Certificates[i];
            var entryKey = $"{Key}:Certificates:{i}";
            if (string.IsNullOrWhiteSpace(entry.CertificateFile))
            {
                errors.Add($"{entryKey}:CertificateFile: required");
            }

            if (entry.HostNames.Count == 0)
            {
                errors.Add($"{entryKey}:HostNames: at least one host name is required");
            }

            for (var j = 0; j < entry.HostNames.Count; j++)
            {
                var nameKey = $"{entryKey}:HostNames:{j}";
                if (!ServerNamePattern.TryNormalize(entry.HostNames[j], out var name, out _, out var error))
                {
                    errors.Add($"{nameKey}: '{entry.HostNames[j]}' {error}");
                }
                else if (!claimedBy.TryAdd(name, nameKey))
                {
                    errors.Add($"{nameKey}: '{entry.HostNames[j]}' is already listed at {claimedBy[name]}");
                }
            }
        }
    }
}
