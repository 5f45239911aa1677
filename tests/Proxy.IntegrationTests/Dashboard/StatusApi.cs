using System.Net;
using System.Text.Json;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>One answer of the proxy's HTTP side, body kept as text and parsed.</summary>
public sealed record HttpAnswer(HttpStatusCode Status, string? CacheControl, string? MediaType, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;
}

/// <summary>GETs <c>/api/v1/status</c>, <c>/health</c> and <c>/ready</c> over real HTTP.</summary>
public sealed class StatusApi(int port) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };

    public async Task<HttpAnswer> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return new HttpAnswer(
            response.StatusCode,
            response.Headers.CacheControl?.ToString(),
            response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> StatusAsync()
    {
        var answer = await GetAsync("/api/v1/status");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Json;
    }

    /// <summary>Polls <paramref name="path"/> until <paramref name="condition"/> holds; fails with the last answer after a generous bound.</summary>
    public async Task<HttpAnswer> UntilAsync(string path, Func<HttpAnswer, bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var answer = await GetAsync(path);
            if (condition(answer))
            {
                return answer;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{path} never showed {what}; last answer ({(int)answer.Status}):\n{answer.Text}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _http.Dispose();
}
