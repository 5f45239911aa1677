using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Proxy.Host.Dashboard;

/// <summary>
/// The health dashboard (docs/dashboard.md): <c>/</c> serves the page, <c>/dashboard/…</c> its
/// stylesheet, script and icon. The files are embedded in the assembly, so the proxy needs no
/// web root on disk and the page works offline (no CDN, no web fonts). The page reads
/// <c>/api/v1/status</c>; it holds no data of its own.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>
    /// Only this origin's files and API: no inline script or style, no other host, and the page
    /// may not be framed (clickjacking) or post forms anywhere.
    /// </summary>
    internal const string ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ResourcePrefix = "Proxy.Host.Dashboard.wwwroot.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["favicon.svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, DashboardFile>> Files = new(LoadFiles);

    /// <summary>Maps the page unless <c>Proxy:Dashboard:Enabled</c> is false (read at start, like the status API).</summary>
    public static void MapDashboard(this WebApplication app)
    {
        if (!StatusEndpoints.DashboardEnabled(app))
        {
            return;
        }

        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        // Exact names only: nothing else of the assembly can be asked for.
        app.MapGet("/dashboard/{file}", (HttpContext context, string file) =>
            Files.Value.ContainsKey(file) && file != "index.html" ? Serve(context, file) : Results.NotFound());
    }

    private static IResult Serve(HttpContext context, string name)
    {
        var file = Files.Value[name];
        var headers = context.Response.Headers;
        // Revalidated on every load (an upgraded proxy serves a new page at once); the ETag makes that a 304.
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return Results.Bytes(file.Content, file.ContentType, entityTag: file.ETag);
    }

    private static FrozenDictionary<string, DashboardFile> LoadFiles()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, DashboardFile>(StringComparer.Ordinal);
        foreach (var (name, contentType) in ContentTypes)
        {
            using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
                ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in {assembly.GetName().Name}.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
            files[name] = new DashboardFile(content, contentType, tag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record DashboardFile(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
