namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>Start-up and reload checks of <see cref="ProtocolLogOptions"/>; each message names its key.</summary>
internal static class ProtocolLogOptionsValidation
{
    public static void Validate(string key, ProtocolLogOptions options, List<string> errors)
    {
        if (options.LogFileLocation is { } location && (location.Trim().Length == 0 || location.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            errors.Add($"{key}:LogFileLocation: '{location}' is not a folder path");
        }

        if (!Enum.IsDefined(options.LogFileRollOverSettings))
        {
            errors.Add($"{key}:LogFileRollOverSettings: {options.LogFileRollOverSettings} must be Hourly, Daily, Weekly or Monthly");
        }

        // A quota below one header plus a row would start a new file for every row.
        if (options.LogPerFileSizeQuota is not 0 and < 4096)
        {
            errors.Add($"{key}:LogPerFileSizeQuota: {options.LogPerFileSizeQuota} must be 0 (no limit) or at least 4096 bytes");
        }

        if (options.MaxAge <= TimeSpan.Zero)
        {
            errors.Add($"{key}:MaxAge: {options.MaxAge} must be greater than zero");
        }

        if (options.MaxDirectorySize < 0 || (options.MaxDirectorySize > 0 && options.LogPerFileSizeQuota > options.MaxDirectorySize))
        {
            errors.Add($"{key}:MaxDirectorySize: {options.MaxDirectorySize} must be 0 (no limit) or at least LogPerFileSizeQuota ({options.LogPerFileSizeQuota})");
        }
    }
}
