using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.Tests.Backends.Fakes;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Listening;

/// <summary>The debounce of file events, driven directly (no real watcher) on a manual clock.</summary>
public sealed class CertificateReloaderTests : IDisposable
{
    private readonly CertificateFiles _files = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly ListLogger<CertificateReloaderTests> _logger = new();

    [Fact]
    public void OnFileEvent_BurstOfEvents_OneReloadAfterTheQuietDelay()
    {
        using var first = CertificateFiles.Issue("v1.test", _clock.GetUtcNow(), TimeSpan.FromDays(60));
        using var second = CertificateFiles.Issue("v2.test", _clock.GetUtcNow(), TimeSpan.FromDays(60));
        var path = _files.WriteCombinedPem(first, "server");
        var source = CertificateSource.LoadDefault(new FrontEndTlsOptions { CertificateFile = path });
        using var reloader = new CertificateReloader([source], _clock, TimeSpan.FromHours(1), 14, _logger);
        reloader.Start(watchFiles: false);

        _files.WriteCombinedPem(second, "server");
        reloader.OnFileEvent();
        _clock.Advance(CertificateReloader.DebounceDelay / 2);
        reloader.OnFileEvent();
        _clock.Advance(CertificateReloader.DebounceDelay * 3 / 4);
        Assert.Equal("CN=v1.test", source.Current.Subject);

        _clock.Advance(CertificateReloader.DebounceDelay / 4);
        Assert.Equal("CN=v2.test", source.Current.Subject);
        Assert.Single(_logger.Entries, e => e.EventId.Id == 3011);
    }

    [Fact]
    public void Dispose_ThenFileEvent_NoCheckAndNoError()
    {
        using var first = CertificateFiles.Issue("v1.test", _clock.GetUtcNow(), TimeSpan.FromDays(60));
        var source = CertificateSource.LoadDefault(new FrontEndTlsOptions { CertificateFile = _files.WriteCombinedPem(first, "server") });
        var reloader = new CertificateReloader([source], _clock, TimeSpan.FromHours(1), 14, _logger);
        reloader.Start(watchFiles: false);

        reloader.Dispose();
        reloader.OnFileEvent();
        _clock.Advance(TimeSpan.FromHours(2));

        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id is 3011 or 3012);
    }

    public void Dispose() => _files.Dispose();
}
