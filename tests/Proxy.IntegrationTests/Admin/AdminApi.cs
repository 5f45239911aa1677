using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Proxy.IntegrationTests.Admin;

/// <summary>The admin API as curl would use it, with the answer's JSON for assertions on its shape.</summary>
internal sealed class AdminApi(int port, string? token = null) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        return await _http.SendAsync(request);
    }

    /// <summary>Sends, asserts the status and a JSON body, and returns the body.</summary>
    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, HttpStatusCode expected = HttpStatusCode.OK, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await SendAsync(method, path, configure);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public Task<JsonElement> GetAsync(string path, HttpStatusCode expected = HttpStatusCode.OK) => JsonAsync(HttpMethod.Get, path, expected);

    public Task<JsonElement> PostAsync(string path, HttpStatusCode expected = HttpStatusCode.OK) => JsonAsync(HttpMethod.Post, path, expected);

    /// <summary>The session list's entries.</summary>
    public async Task<IReadOnlyList<JsonElement>> SessionsAsync() => [.. (await GetAsync("/admin/sessions")).GetProperty("sessions").EnumerateArray()];

    /// <summary>The backend server of the one relaying session of <paramref name="user"/>.</summary>
    public async Task<string> ServerOfAsync(string user) =>
        Assert.Single(await SessionsAsync(), s => s.GetProperty("user").GetString() == user)
            .GetProperty("backend").GetProperty("server").GetString()!;

    public void Dispose() => _http.Dispose();
}
