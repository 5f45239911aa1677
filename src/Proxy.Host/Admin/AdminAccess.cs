using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Host.Admin;

/// <summary>The admin API's answer to "may this request go on?".</summary>
public enum AdminAccessDecision
{
    Allowed,
    /// <summary>No token is configured and the caller is not on this host (403).</summary>
    NotLoopback,
    /// <summary>No token is configured and the Host header is not a loopback name: a DNS-rebinding page (403).</summary>
    ForeignHost,
    /// <summary>No token is configured and a browser sent the request from another origin (403).</summary>
    ForeignOrigin,
    /// <summary>A token is configured and the request has none (401).</summary>
    MissingToken,
    /// <summary>A token is configured and the request's is wrong (401).</summary>
    WrongToken,
}

/// <summary>
/// Who may use <c>/admin</c>. Without <c>Proxy:Admin:Token</c>: loopback callers only, and
/// since a browser on this host is a loopback caller too, only when the Host header is a
/// loopback name (against DNS rebinding) and any Origin header is the API's own (against a
/// cross-site form POST). With a token: every caller must send <c>Authorization: Bearer</c>
/// with it, compared in constant time; browsers cannot add that header cross-site without
/// a CORS preflight, which this API never grants.
/// </summary>
internal static partial class AdminAccess
{
    public static AdminAccessDecision Evaluate(IPAddress? remote, string? host, string? origin, string? authorization, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return AdminAccessDecision.MissingToken;
            }

            return TokenMatches(authorization["Bearer ".Length..].Trim(), token) ? AdminAccessDecision.Allowed : AdminAccessDecision.WrongToken;
        }

        if (remote is null || !IsLoopback(remote))
        {
            return AdminAccessDecision.NotLoopback;
        }

        if (!IsLoopbackHost(host))
        {
            return AdminAccessDecision.ForeignHost;
        }

        if (!string.IsNullOrEmpty(origin)
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var originUri) && string.Equals(originUri.Authority, host, StringComparison.OrdinalIgnoreCase)))
        {
            return AdminAccessDecision.ForeignOrigin;
        }

        return AdminAccessDecision.Allowed;
    }

    /// <summary>The middleware in front of every <c>/admin</c> path, matched or not.</summary>
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var token = context.RequestServices.GetRequiredService<IOptionsMonitor<ProxyOptions>>().CurrentValue.Admin.Token;
        var request = context.Request;
        var decision = Evaluate(
            context.Connection.RemoteIpAddress,
            request.Host.Value,
            request.Headers.Origin.ToString(),
            request.Headers.Authorization.ToString(),
            token);
        if (decision == AdminAccessDecision.Allowed)
        {
            await next(context);
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Proxy.Host.Admin");
        Log.Refused(logger, request.Method, request.Path.Value ?? "", context.Connection.RemoteIpAddress?.ToString() ?? "(unknown)", decision);
        var unauthorized = decision is AdminAccessDecision.MissingToken or AdminAccessDecision.WrongToken;
        if (unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        var message = decision switch
        {
            AdminAccessDecision.NotLoopback => "The admin API answers loopback clients only unless Proxy:Admin:Token is set.",
            AdminAccessDecision.ForeignHost => "The admin API answers requests for a loopback host name only unless Proxy:Admin:Token is set.",
            AdminAccessDecision.ForeignOrigin => "The admin API does not answer cross-origin browser requests.",
            _ => "A valid 'Authorization: Bearer <token>' header is required.",
        };
        await Results.Json(new ErrorResponse(message), statusCode: unauthorized ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden)
            .ExecuteAsync(context);
    }

    /// <summary>
    /// Start-up warning: an HTTP endpoint reachable from the network with no token means anyone who can
    /// reach it is refused (good), but the operator probably meant to use the API remotely: say how.
    /// </summary>
    public static void WarnIfExposed(ProxyOptions options, IEnumerable<IPEndPoint> httpEndPoints, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.Admin.Token))
        {
            return;
        }

        foreach (var endPoint in httpEndPoints.Where(e => !IsLoopback(e.Address)))
        {
            Log.ExposedWithoutToken(logger, endPoint.ToString());
        }
    }

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static bool IsLoopbackHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        // "127.0.0.1:8080", "[::1]:8080", "localhost:8080": the part before the port.
        var name = host.StartsWith('[') ? host[1..Math.Max(1, host.IndexOf(']', StringComparison.Ordinal))] : host.Split(':')[0];
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IsLoopback(address));
    }

    /// <summary>Hashing both sides first makes the comparison constant-time whatever the lengths.</summary>
    private static bool TokenMatches(string offered, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(offered)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static partial class Log
    {
        [LoggerMessage(EventId = 3558, EventName = nameof(EventIds.AdminRequestRefused), Level = LogLevel.Warning,
            Message = "Admin API: {Method} {Path} from {Remote} refused ({Decision})")]
        public static partial void Refused(ILogger logger, string method, string path, string remote, AdminAccessDecision decision);

        [LoggerMessage(EventId = 3559, EventName = nameof(EventIds.AdminApiExposedWithoutToken), Level = LogLevel.Warning,
            Message = "The HTTP endpoint {EndPoint} is reachable from other hosts but Proxy:Admin:Token is not set: the admin API refuses every non-loopback caller; set a token to use it remotely")]
        public static partial void ExposedWithoutToken(ILogger logger, string endPoint);
    }
}
