using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// Debian's Chromium driven by Debian's chromedriver through Selenium WebDriver, headless. Both
/// paths are given, so Selenium Manager never looks for (or downloads) a browser or a driver.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverFolder = "/usr/bin";
    public const string DriverFile = "chromedriver";

    private HeadlessChromium(ChromeDriver driver)
    {
        Driver = driver;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Starts the browser; a missing package fails the test with what to install (never a skip).</summary>
    public static HeadlessChromium Start(int width = 1400, int height = 1000)
    {
        var missing = new List<string>();
        if (!File.Exists(BrowserPath))
        {
            missing.Add($"{BrowserPath} (Debian package chromium)");
        }

        if (!File.Exists(Path.Combine(DriverFolder, DriverFile)))
        {
            missing.Add($"{Path.Combine(DriverFolder, DriverFile)} (Debian package chromium-driver)");
        }

        if (missing.Count > 0)
        {
            Assert.Fail($"The dashboard's browser test needs headless Chromium: {string.Join(" and ", missing)} missing. " +
                "Run tests/run.sh as root, which installs them, or: apt-get install chromium chromium-driver");
        }

        var service = ChromeDriverService.CreateDefaultService(DriverFolder, DriverFile);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            // Loopback only: no proxy from the environment, no background calls home.
            "--no-proxy-server",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-extensions",
            $"--window-size={width},{height}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new HeadlessChromium(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
    }

    /// <summary>Runs a script that returns <c>JSON.stringify(...)</c> and parses its answer.</summary>
    public JsonElement Query(string script)
    {
        var json = Driver.ExecuteScript(script) as string ?? "null";
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Saves what the browser shows now as a PNG in the test artefacts; returns its path.</summary>
    public string Screenshot(string fileName)
    {
        var path = TestArtifacts.PathFor(fileName);
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>The browser console's messages at <c>SEVERE</c> (errors, CSP violations, failed loads) so far.</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        Driver.Manage().Logs.GetLog(LogType.Browser)
            .Where(entry => entry.Level >= LogLevel.Severe)
            .Select(entry => entry.Message)
            .ToList();

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
