using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Proxy.Core;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Reload;
using Proxy.Host.Admin;
using Proxy.Host.Dashboard;
using Proxy.Host.Telemetry;

namespace Proxy.Host;

/// <summary>
/// Builds and runs the one process: mail listeners as Kestrel connection
/// handlers next to the HTTP side (/health, /ready, the dashboard, the admin API) in a single WebApplication.
/// </summary>
public static partial class ProxyHost
{
    /// <summary>Exit code for configuration that does not validate.</summary>
    public const int ExitConfigurationInvalid = 2;

    /// <summary>Exit code for a listener that cannot bind.</summary>
    public const int ExitListenerFailed = 3;

    /// <summary>What the host's shutdown timeout adds to <c>Proxy:ShutdownDrainTimeout</c>: time for the last goodbyes and TLS closes.</summary>
    internal static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(string[] args)
    {
        InlineSocketCompletions.Prefer();
        var app = Build(args);
        var code = await StartAsync(app);
        if (code != 0)
        {
            await app.DisposeAsync();
            return code;
        }

        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>
    /// Configuration, in rising precedence: appsettings.json, the files named by
    /// <c>--config</c>, the topology file (<c>Proxy:TopologyFile</c>), environment
    /// variables, the command line.
    /// </summary>
    /// <param name="configure">Runs after the configuration files are added and before the topology file is read (tests add settings and log capture here).</param>
    /// <param name="contentRoot">Where appsettings.json and relative paths are looked up; defaults to the current directory.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, string? contentRoot = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot ?? Directory.GetCurrentDirectory() });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        // Every file is watched for changes (Reload/ConfigurationReloader applies them); files in one
        // folder share one watcher, appsettings.json's included.
        var folders = new WatchedFolders();
        folders.Adopt(builder.Environment.ContentRootFileProvider);
        builder.Services.AddSingleton(_ => folders);
        foreach (var file in ConfigFiles(args))
        {
            AddWatchedJsonFile(builder.Configuration, folders, Path.GetFullPath(file), optional: false);
        }

        configure?.Invoke(builder);
        var topologyFile = builder.Configuration["Proxy:TopologyFile"];
        if (!string.IsNullOrWhiteSpace(topologyFile))
        {
            // A missing file is reported by validation with its key, not by the configuration system.
            var path = Path.GetFullPath(topologyFile, builder.Environment.ContentRootPath);
            AddWatchedJsonFile(builder.Configuration, folders, path, optional: true);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        builder.Services.AddMailProxy(builder.Configuration);
        builder.AddProxyTelemetry();
        builder.Services.AddSingleton<ITopologyCheck, ProxyLoopTopologyCheck>();
        builder.Services.AddHostedService<HangupSignal>();
        builder.Services.AddAdminApi();
        builder.Services.AddStatusApi();
        // The dashboard's recent refusals include those logged at Information (3201 wrong password),
        // whatever level the console is set to.
        builder.Logging.AddFilter<RecentEventLoggerProvider>("Proxy", LogLevel.Information);
        // The host must outwait the session drain (and the goodbyes after it), or it would cut the sessions off first.
        var hostShutdown = ShutdownDrainTimeout(builder.Configuration) + ShutdownMargin;
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = hostShutdown);

        var listeners = TryReadListeners(builder.Configuration);
        var http = HttpEndPoints(builder.Configuration);
        builder.Services.AddSingleton<IRestartOnlySetting>(new HttpUrlsSetting(builder.Configuration));

        // Every endpoint is bound explicitly below; without this Kestrel warns that it overrides "Urls".
        // UseUrls() also blanks "Urls" in the configuration, so the start-up bind check gets the endpoints from here.
        builder.WebHost.UseUrls();

        // A relayed chunk otherwise crosses two extra thread-pool hops (the client's receive loop to the
        // pump, the pump's flush to the send loop). Inline is safe here because nothing the mail
        // sessions run on those threads blocks (password hashing is bounded by PasswordVerificationGate
        // and always runs on the pool). Measured on a quiet machine: bulk CPU per GB -10-20 %, NOOP
        // round trip -30 us (docs/performance.md, finding 8). With InlineSocketCompletions (RunAsync)
        // these continuations run on the socket event threads themselves (finding 12).
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.AddSingleton(new HttpEndPointList(http));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var listener in listeners)
            {
                kestrel.Listen(listener.EndPoint, listen =>
                {
                    // This runs inside builder.Build(): resolve services per connection, not here, so that
                    // an invalid topology, directory or option reaches StartAsync's validation (exit 2, event 3003)
                    // instead of escaping Build as an exception.
                    var services = listen.ApplicationServices;
                    if (listener.ImplicitTls)
                    {
                        listen.UseHttps(new TlsHandshakeCallbackOptions
                        {
                            // The same SNI choice as STARTTLS (FrontEndCertificate.ServerOptions).
                            OnConnection = context => ValueTask.FromResult(services.GetRequiredService<FrontEndCertificate>().ServerOptions(context.ClientHelloInfo.ServerName)),
                            HandshakeTimeout = TimeSpan.FromSeconds(30),
                        });
                    }

                    listen.Run(connection => services.GetRequiredService<MailConnectionHandler>().HandleAsync(connection, listener));
                });
            }

            foreach (var endPoint in http)
            {
                kestrel.Listen(endPoint);
            }
        });

        var app = builder.Build();
        app.MapProxyTelemetry();
        app.MapStatusEndpoints();
        app.MapAdminEndpoints();
        app.MapDashboard();

        return app;
    }

    /// <summary>
    /// Validates everything that can be wrong before any socket is opened, binds,
    /// and starts. Returns 0 when running, otherwise the exit code after logging why.
    /// </summary>
    public static async Task<int> StartAsync(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Proxy.Host");
        try
        {
            var options = app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value;
            _ = app.Services.GetRequiredService<FrontEndCertificate>().Certificate;
            var topology = app.Services.GetRequiredService<ITopologyProvider>().Current;
            _ = app.Services.GetRequiredService<IUserDirectory>();
            WarnAboutWeakenedSecurity(options, topology, logger);
            AdminAccess.WarnIfExposed(options, app.Services.GetRequiredService<HttpEndPointList>().EndPoints, logger);
            var loops = ProxyLoopCheck.Find(topology, MailListener.FromOptions(options));
            if (loops.Count > 0)
            {
                foreach (var loop in loops)
                {
                    Log.ConfigurationInvalid(logger, loop);
                }

                return ExitConfigurationInvalid;
            }

            if (!ListenerBindCheck.TryBindAll(BindTargets(options, app.Services.GetRequiredService<HttpEndPointList>().EndPoints), logger))
            {
                return ExitListenerFailed;
            }
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                Log.ConfigurationInvalid(logger, failure);
            }

            return ExitConfigurationInvalid;
        }
        catch (TopologyValidationException ex)
        {
            foreach (var error in ex.Errors)
            {
                Log.ConfigurationInvalid(logger, error);
            }

            return ExitConfigurationInvalid;
        }
        catch (DirectoryFileException ex)
        {
            foreach (var error in ex.Errors)
            {
                Log.ConfigurationInvalid(logger, $"Proxy:DirectoryFile: {error}");
            }

            return ExitConfigurationInvalid;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException)
        {
            Log.ConfigurationInvalid(logger, ex.Message);
            return ExitConfigurationInvalid;
        }

        try
        {
            await app.StartAsync();
        }
        catch (IOException ex) when (SocketErrorOf(ex) is { } socketError)
        {
            // Another process took the port between the start-up check and Kestrel's bind.
            ListenerBindCheck.Report(logger, "listener", KestrelBindTarget(ex.Message), socketError, ex.Message);
            return ExitListenerFailed;
        }

        foreach (var listener in TryReadListeners(app.Configuration))
        {
            Log.ListenerStarted(logger, listener.Protocol, listener.EndPoint.ToString(), listener.ImplicitTls);
        }

        return 0;
    }

    /// <summary>Settings that lower a default are legitimate, but an operator must see them in the log.</summary>
    private static void WarnAboutWeakenedSecurity(ProxyOptions options, TopologySnapshot topology, ILogger logger)
    {
        foreach (var server in topology.Servers.Values.Where(s => s.Tls.AcceptAnyCertificate))
        {
            Log.AcceptAnyCertificate(logger, server.Name);
        }

        if (options.Backends.AllowPlaintext)
        {
            Log.BackendPlaintextAllowed(logger);
        }

        var plaintextListeners = options.Imap.Listeners.Concat(options.Pop3.Listeners).Count(l => !l.ImplicitTls);
        if (string.IsNullOrWhiteSpace(options.Tls.CertificateFile) && plaintextListeners > 0)
        {
            Log.NoCertificateForStartTls(logger, plaintextListeners);
        }
    }

    private static SocketError? SocketErrorOf(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    /// <summary>The endpoint in Kestrel's "Failed to bind to address http://127.0.0.1:8080: …" message.</summary>
    private static IPEndPoint KestrelBindTarget(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"address (?<url>\S+?):\s");
        return match.Success && Uri.TryCreate(match.Groups["url"].Value, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
            ? new IPEndPoint(address, uri.Port)
            : new IPEndPoint(IPAddress.None, 0);
    }

    /// <summary>
    /// <c>Proxy:ShutdownDrainTimeout</c> read early, for the host's own shutdown timeout; a value that does
    /// not parse or is out of range is reported by validation at start, so the default stands in here.
    /// </summary>
    private static TimeSpan ShutdownDrainTimeout(IConfiguration configuration)
    {
        var fallback = new ProxyOptions().ShutdownDrainTimeout;
        return TimeSpan.TryParse(configuration["Proxy:ShutdownDrainTimeout"], System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= TimeSpan.Zero && value <= TimeSpan.FromHours(1)
            ? value
            : fallback;
    }

    private static void AddWatchedJsonFile(IConfigurationBuilder configuration, WatchedFolders folders, string path, bool optional) =>
        configuration.AddJsonFile(folders.For(Path.GetDirectoryName(path)!), Path.GetFileName(path), optional, reloadOnChange: true);

    private static IEnumerable<string> ConfigFiles(string[] args)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--config")
            {
                yield return args[i + 1];
            }
        }
    }

    private static IReadOnlyList<MailListener> TryReadListeners(IConfiguration configuration)
    {
        try
        {
            return MailListener.FromOptions(configuration.GetSection("Proxy").Get<ProxyOptions>() ?? new ProxyOptions());
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            // Validation at start names the bad key (a bad address, a port outside 1-65535); bind nothing meanwhile.
            return [];
        }
    }

    /// <summary>HTTP endpoints from <c>Urls</c> (semicolon-separated); defaults to http://127.0.0.1:8080.</summary>
    private static IReadOnlyList<IPEndPoint> HttpEndPoints(IConfiguration configuration)
    {
        var urls = configuration["Urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = "http://127.0.0.1:8080";
        }

        var endPoints = new List<IPEndPoint>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
            var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
            endPoints.Add(new IPEndPoint(address, uri.Port));
        }

        return endPoints;
    }

    private static IEnumerable<(string, IPEndPoint)> BindTargets(ProxyOptions options, IReadOnlyList<IPEndPoint> http) =>
        MailListener.FromOptions(options).Select(l => (l.ToString(), l.EndPoint))
            .Concat(http.Select(e => ("HTTP", e)));

    /// <summary>The HTTP endpoints read from <c>Urls</c> before <c>UseUrls()</c> cleared it.</summary>
    private sealed record HttpEndPointList(IReadOnlyList<IPEndPoint> EndPoints);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3003, EventName = nameof(EventIds.ConfigurationInvalid), Level = LogLevel.Critical,
            Message = "Configuration invalid: {Problem}")]
        public static partial void ConfigurationInvalid(ILogger logger, string problem);

        [LoggerMessage(EventId = 3005, EventName = nameof(EventIds.AcceptAnyCertificateConfigured), Level = LogLevel.Warning,
            Message = "Backend server {Server} is configured with AcceptAnyCertificate: its TLS certificate is not validated")]
        public static partial void AcceptAnyCertificate(ILogger logger, string server);

        [LoggerMessage(EventId = 3006, EventName = nameof(EventIds.BackendPlaintextAllowed), Level = LogLevel.Warning,
            Message = "Proxy:Backends:AllowPlaintext is true: user passwords may be sent to backends without TLS")]
        public static partial void BackendPlaintextAllowed(ILogger logger);

        [LoggerMessage(EventId = 3007, EventName = nameof(EventIds.NoCertificateForStartTls), Level = LogLevel.Warning,
            Message = "Proxy:Tls:CertificateFile is not set: the {Count} plaintext listener(s) cannot offer STARTTLS/STLS, so only a LoginType of PlainTextLogin lets anyone log in there")]
        public static partial void NoCertificateForStartTls(ILogger logger, int count);

        [LoggerMessage(EventId = 3001, EventName = nameof(EventIds.ListenerStarted), Level = LogLevel.Information,
            Message = "Listening for {Protocol} on {EndPoint} (implicit TLS: {ImplicitTls})")]
        public static partial void ListenerStarted(ILogger logger, MailProtocol protocol, string endPoint, bool implicitTls);
    }
}
