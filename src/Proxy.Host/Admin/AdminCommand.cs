using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Proxy.Host.Admin;

/// <summary>
/// <c>Proxy.Host admin COMMAND [--url URL] [--token TOKEN] [--json]</c>: the admin API from a
/// shell. Commands: <c>sessions</c>, <c>servers</c>, <c>drain SERVER[/PROTOCOL/METHOD] [--force]</c>,
/// <c>undrain SERVER[/PROTOCOL/METHOD]</c>, <c>kick USER</c>, <c>close SESSION</c>. The token may
/// come from <c>PROXY_ADMIN_TOKEN</c> instead of the command line (where the process list shows it),
/// the URL from <c>PROXY_ADMIN_URL</c>. Writes results to the given writers, never to the console itself.
/// </summary>
internal static class AdminCommand
{
    /// <summary>The API answered and did what was asked.</summary>
    public const int ExitOk = 0;

    /// <summary>The API answered with an error (unknown server or session, bad endpoint name).</summary>
    public const int ExitApiError = 1;

    /// <summary>The command line is wrong; usage is printed.</summary>
    public const int ExitUsage = 2;

    /// <summary>The API could not be reached (nothing listening, timeout, not HTTP).</summary>
    public const int ExitUnreachable = 3;

    /// <summary>The API refused the caller (401 no or wrong token, 403 not loopback).</summary>
    public const int ExitRefused = 4;

    public const string DefaultUrl = "http://127.0.0.1:8080";

    private const string Usage =
        "usage: Proxy.Host admin sessions | servers | drain SERVER[/PROTOCOL/METHOD] [--force] | undrain SERVER[/PROTOCOL/METHOD] | kick USER | close SESSION\n" +
        "                        [--url URL (default $PROXY_ADMIN_URL or " + DefaultUrl + ")] [--token TOKEN (default $PROXY_ADMIN_TOKEN)] [--json]";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="environment">Reads an environment variable; tests pass their own.</param>
    /// <param name="handler">The HTTP handler; tests may pass their own.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null, HttpMessageHandler? handler = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!TryParse(args, out var command, out var error1))
        {
            await error.WriteLineAsync($"admin: {error1}\n{Usage}");
            return ExitUsage;
        }

        var url = (command.Url ?? environment("PROXY_ADMIN_URL") ?? DefaultUrl).TrimEnd('/');
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"admin: '{url}' is not an http:// or https:// URL\n{Usage}");
            return ExitUsage;
        }

        var token = command.Token ?? environment("PROXY_ADMIN_TOKEN");
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(15);
        using var request = new HttpRequestMessage(command.Method, new Uri(url + command.Path));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request);
            body = await response.Content.ReadAsStringAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"admin: cannot reach the admin API at {url}: {ex.Message}");
            return ExitUnreachable;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"admin: {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorText(body)}");
                return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ExitRefused : ExitApiError;
            }

            try
            {
                await output.WriteAsync(command.RawJson ? body.TrimEnd() + "\n" : command.Render(body));
            }
            catch (JsonException ex)
            {
                await error.WriteLineAsync($"admin: {url} answered something that is not the admin API's JSON: {ex.Message}");
                return ExitUnreachable;
            }
        }

        return ExitOk;
    }

    private static bool TryParse(string[] args, out AdminRequest command, out string problem)
    {
        command = null!;
        problem = "";
        var positional = new List<string>();
        string? url = null, token = null;
        bool force = false, json = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length:
                    url = args[++i];
                    break;
                case "--token" when i + 1 < args.Length:
                    token = args[++i];
                    break;
                case "--force":
                    force = true;
                    break;
                case "--json":
                    json = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    problem = $"unknown or incomplete option '{option}'";
                    return false;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional.Count == 0)
        {
            problem = "no command";
            return false;
        }

        var (verb, arguments) = (positional[0], positional.Skip(1).ToArray());
        if (force && verb != "drain")
        {
            problem = "--force goes with drain only";
            return false;
        }

        var expected = verb is "sessions" or "servers" ? 0 : 1;
        if (verb is not ("sessions" or "servers" or "drain" or "undrain" or "kick" or "close"))
        {
            problem = $"unknown command '{verb}'";
            return false;
        }

        if (arguments.Length != expected)
        {
            problem = expected == 0 ? $"{verb} takes no argument" : $"{verb} takes one argument";
            return false;
        }

        string path;
        switch (verb)
        {
            case "sessions":
                command = new AdminRequest(HttpMethod.Get, "/admin/sessions", url, token, json, RenderSessions);
                return true;
            case "servers":
                command = new AdminRequest(HttpMethod.Get, "/admin/servers", url, token, json, RenderServers);
                return true;
            case "kick":
                command = new AdminRequest(HttpMethod.Post, $"/admin/users/{Uri.EscapeDataString(arguments[0])}/kick", url, token, json, RenderKick);
                return true;
            case "close":
                command = new AdminRequest(HttpMethod.Post, $"/admin/sessions/{Uri.EscapeDataString(arguments[0])}/close", url, token, json, RenderClose);
                return true;
        }

        // drain / undrain: SERVER or SERVER/PROTOCOL/METHOD, each part escaped into its own path segment.
        var parts = arguments[0].Split('/');
        if (parts.Length is not (1 or 3) || parts.Any(string.IsNullOrWhiteSpace))
        {
            problem = $"'{arguments[0]}' is neither SERVER nor SERVER/PROTOCOL/METHOD (e.g. HQ-CAS2007A/imap/ssl)";
            return false;
        }

        path = "/admin/servers/" + string.Join('/', parts.Select(Uri.EscapeDataString)) + "/" + verb + (force ? "?force=true" : "");
        command = new AdminRequest(HttpMethod.Post, path, url, token, json, RenderDrain);
        return true;
    }

    private static string ErrorText(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<ErrorResponse>(body, Json)?.Error ?? body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }

    private static T Read<T>(string body) => JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException("empty body");

    private static string RenderSessions(string body)
    {
        var list = Read<SessionList>(body);
        var rows = list.Sessions.Select(s => new[]
        {
            s.Id, s.Protocol, s.Closing is null ? s.State : $"{s.State} (closing: {s.Closing})", s.User ?? "-",
            s.Backend is { } b ? $"{b.Server} {b.Endpoint}" : "-", s.Client ?? "-",
            s.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            s.BytesClientToBackend.ToString(CultureInfo.InvariantCulture), s.BytesBackendToClient.ToString(CultureInfo.InvariantCulture),
        });
        return Table(["ID", "PROTOCOL", "STATE", "USER", "BACKEND", "CLIENT", "STARTED", "UP", "DOWN"], rows) + $"{list.Count} session(s)\n";
    }

    private static string RenderServers(string body)
    {
        var list = Read<ServerList>(body);
        var rows = list.Servers.Select(s => new[]
        {
            s.Name, s.Site, s.Version, s.Draining ? "yes" : "no", s.Sessions.ToString(CultureInfo.InvariantCulture),
            string.Join(", ", s.Endpoints.Select(e => $"{e.Protocol}/{e.Method} {e.Host}:{e.Port}{(e.Draining ? " (draining)" : "")}")),
        });
        return Table(["SERVER", "SITE", "VERSION", "DRAINING", "SESSIONS", "ENDPOINTS"], rows);
    }

    private static string RenderDrain(string body)
    {
        var drain = Read<DrainResponse>(body);
        var what = drain.Endpoint is null ? drain.Server : $"{drain.Server}/{drain.Endpoint}";
        return drain.Draining
            ? $"{what} is draining: no new sessions go there; {drain.ClosedSessions} session(s) closing.\n"
            : $"{what} is not draining.\n";
    }

    private static string RenderKick(string body)
    {
        var kick = Read<KickResponse>(body);
        return $"{kick.User}: {kick.ClosedSessions} session(s) closing.\n";
    }

    private static string RenderClose(string body) => $"Session {Read<CloseResponse>(body).Id} closing.\n";

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        return string.Concat(all.Select(r => string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd() + "\n"));
    }

    private sealed record AdminRequest(HttpMethod Method, string Path, string? Url, string? Token, bool RawJson, Func<string, string> Render);
}
