namespace Proxy.Core.Backends.Health;

/// <summary>The <c>Proxy:Health</c> part of start-up validation; every message names its key.</summary>
internal static class HealthOptionsValidation
{
    private const string Key = "Proxy:Health";

    public static void Validate(HealthOptions options, List<string> errors)
    {
        Range($"{Key}:ProbeInterval", options.ProbeInterval, TimeSpan.FromMilliseconds(100), errors);
        Range($"{Key}:ProbeTimeout", options.ProbeTimeout, TimeSpan.FromMilliseconds(10), errors);
        Range($"{Key}:BreakDuration", options.BreakDuration, TimeSpan.FromMilliseconds(100), errors);
        if (double.IsNaN(options.Jitter) || options.Jitter is < 0 or > 0.5)
        {
            errors.Add($"{Key}:Jitter: {options.Jitter} must be between 0 and 0.5");
        }

        Count($"{Key}:MaxConcurrentProbes", options.MaxConcurrentProbes, 1024, errors);
        Count($"{Key}:UnhealthyThreshold", options.UnhealthyThreshold, 100, errors);
        Count($"{Key}:HealthyThreshold", options.HealthyThreshold, 100, errors);
        Count($"{Key}:BreakerFailureThreshold", options.BreakerFailureThreshold, 100, errors);
    }

    private static void Range(string key, TimeSpan value, TimeSpan minimum, List<string> errors)
    {
        if (value < minimum || value > TimeSpan.FromHours(24))
        {
            errors.Add($"{key}: {value} must be between {minimum:c} and 1.00:00:00");
        }
    }

    private static void Count(string key, int value, int maximum, List<string> errors)
    {
        if (value < 1 || value > maximum)
        {
            errors.Add($"{key}: {value} must be between 1 and {maximum}");
        }
    }
}
