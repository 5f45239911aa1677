using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Listening;

namespace Proxy.Core.Sessions.ProtocolLog;

/// <summary>
/// The IMAP4 and POP3 protocol logs of the process: opens a session's recorder when its protocol's
/// log is on, and runs the background writer of each log (a hosted service; it stops after the
/// session drain, so the last rows of draining sessions are written).
/// </summary>
internal sealed class ProtocolLogs : IHostedService, IDisposable
{
    private readonly IOptionsMonitor<ProxyOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _contentRoot;
    private readonly ProtocolLogSink _imap;
    private readonly ProtocolLogSink _pop3;
    private Task[] _loops = [];

    public ProtocolLogs(IOptionsMonitor<ProxyOptions> options, ProxyMetrics metrics, TimeProvider timeProvider, ILogger<ProtocolLogs> logger, IHostEnvironment? environment = null)
    {
        _options = options;
        _timeProvider = timeProvider;
        _contentRoot = environment?.ContentRootPath ?? System.IO.Directory.GetCurrentDirectory();
        _imap = new ProtocolLogSink(MailProtocol.Imap, () => Settings(MailProtocol.Imap), metrics, timeProvider, logger);
        _pop3 = new ProtocolLogSink(MailProtocol.Pop3, () => Settings(MailProtocol.Pop3), metrics, timeProvider, logger);
    }

    /// <summary>The folder a protocol's log goes to: the configured one (relative to the content root), or <c>logs/Imap4</c> / <c>logs/Pop3</c>.</summary>
    public static string Folder(MailProtocol protocol, ProtocolLogOptions options, string contentRoot) =>
        Path.GetFullPath(options.LogFileLocation ?? Path.Combine("logs", protocol == MailProtocol.Imap ? "Imap4" : "Pop3"), contentRoot);

    /// <summary>A recorder for a new session (writing its OpenSession row), or null when the protocol's log is off.</summary>
    public ProtocolLogSession? Open(MailProtocol protocol, ClientConnection client)
    {
        if (!OptionsOf(protocol).ProtocolLogEnabled)
        {
            return null;
        }

        var session = new ProtocolLogSession(protocol == MailProtocol.Imap ? _imap : _pop3, _timeProvider, client);
        client.ProtocolLog = session;
        return session;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Their own threads: writes are synchronous file I/O and must not sit on the sessions' thread pool queue.
        _loops = [Task.Factory.StartNew(_imap.RunAsync, TaskCreationOptions.LongRunning).Unwrap(), Task.Factory.StartNew(_pop3.RunAsync, TaskCreationOptions.LongRunning).Unwrap()];
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _imap.Complete();
        _pop3.Complete();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _imap.Dispose();
        _pop3.Dispose();
    }

    private ProtocolLogOptions OptionsOf(MailProtocol protocol) =>
        protocol == MailProtocol.Imap ? _options.CurrentValue.Imap.ProtocolLog : _options.CurrentValue.Pop3.ProtocolLog;

    private (ProtocolLogOptions Options, string Directory) Settings(MailProtocol protocol)
    {
        var options = OptionsOf(protocol);
        return (options, Folder(protocol, options, _contentRoot));
    }
}
