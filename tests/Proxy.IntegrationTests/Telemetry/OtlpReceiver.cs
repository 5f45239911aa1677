using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>One OTLP/HTTP export request as a collector received it.</summary>
public sealed record OtlpRequest(string Path, string? ContentType, byte[] Body)
{
    /// <summary>Protobuf carries strings as plain UTF-8, so attribute names and values can be searched in the body.</summary>
    public bool Carries(string text) => Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;
}

/// <summary>
/// A stand-in OpenTelemetry collector on loopback: accepts OTLP/HTTP posts (<c>/v1/traces</c>,
/// <c>/v1/metrics</c>), answers 200 with an empty export response, and keeps what it got.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<OtlpRequest> _requests = [];

    private OtlpReceiver(WebApplication app, int port)
    {
        _app = app;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    public IReadOnlyList<OtlpRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var port = Ports.GetFreeTcpPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, port);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            lock (receiver._requests)
            {
                receiver._requests.Add(new OtlpRequest(context.Request.Path, context.Request.ContentType, body.ToArray()));
            }

            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits, bounded, for a request to <paramref name="path"/> that carries <paramref name="text"/>.</summary>
    public async Task<OtlpRequest> WaitForAsync(string path, string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = Requests.FirstOrDefault(r => r.Path == path && r.Carries(text));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {path} request carrying '{text}'; got: {string.Join(", ", Requests.Select(r => $"{r.Path} ({r.Body.Length} bytes)"))}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
