using Microsoft.Extensions.Logging;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Directory;

/// <summary>
/// The embedded directory: users from a JSON file (see <see cref="DirectoryFileLoader"/>),
/// held as an immutable snapshot that <see cref="Reload"/> swaps whole.
/// </summary>
internal sealed partial class FileUserDirectory : IUserDirectory
{
    public static readonly TimeSpan DefaultSuccessCacheTimeToLive = TimeSpan.FromMinutes(5);

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Func<string, string, bool> _verifyPassword;
    private readonly SuccessCache _cache;
    private readonly PasswordVerificationGate _gate;
    private readonly Lock _reloadLock = new();
    private volatile DirectorySnapshot _snapshot;

    /// <exception cref="DirectoryFileException">The file cannot be read or is invalid.</exception>
    /// <param name="gate">Bounds concurrent password hashes; null: the defaults of <c>Proxy:PasswordVerification</c>.</param>
    public FileUserDirectory(string path, TimeProvider timeProvider, ILogger<FileUserDirectory> logger, PasswordVerificationGate? gate = null)
        : this(path, timeProvider, logger, DefaultSuccessCacheTimeToLive, PasswordHasher.Verify, gate)
    {
    }

    /// <param name="verifyPassword">The password check; tests pass a counting one to see the cache work.</param>
    internal FileUserDirectory(
        string path,
        TimeProvider timeProvider,
        ILogger logger,
        TimeSpan successCacheTimeToLive,
        Func<string, string, bool> verifyPassword,
        PasswordVerificationGate? gate = null)
    {
        _path = path;
        _logger = logger;
        _verifyPassword = verifyPassword;
        _cache = new SuccessCache(timeProvider, successCacheTimeToLive);
        var defaults = new Configuration.PasswordVerificationOptions();
        _gate = gate ?? new PasswordVerificationGate(defaults.EffectiveMaxConcurrency, () => defaults.QueueTimeout, timeProvider, logger);
        _snapshot = LoadAndReport();
    }

    public string Path => _path;

    /// <summary>
    /// Reads the file again and swaps it in. Sessions already authenticated are not affected;
    /// a changed, disabled or removed user is checked against the new file at the next login
    /// (the success cache only answers for an entry equal to the one that succeeded).
    /// </summary>
    /// <returns>True when the users changed, false when the file says what it said before.</returns>
    /// <exception cref="DirectoryFileException">The file is invalid; the previous users stay in force.</exception>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            DirectorySnapshot snapshot;
            try
            {
                snapshot = DirectoryFileLoader.Load(_path);
            }
            catch (DirectoryFileException ex)
            {
                Log.ReloadFailed(_logger, _path, string.Join("; ", ex.Errors));
                throw;
            }

            if (snapshot.HasSameUsersAs(_snapshot))
            {
                return false;
            }

            _snapshot = Report(snapshot);
            return true;
        }
    }

    public ValueTask<DirectoryResult> AuthenticateAsync(string loginName, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loginName);
        ArgumentNullException.ThrowIfNull(password);
        cancellationToken.ThrowIfCancellationRequested();
        return AuthenticateCoreAsync(loginName, password, cancellationToken);
    }

    private async ValueTask<DirectoryResult> AuthenticateCoreAsync(string loginName, string password, CancellationToken cancellationToken)
    {
        // No name with control characters exists; refusing early also keeps them out of the log.
        if (loginName.Any(char.IsControl))
        {
            Log.LoginNameRejected(_logger, loginName.Length);
            return DirectoryResult.Invalid;
        }

        var snapshot = _snapshot;
        var user = snapshot.Find(loginName);
        if (user is null)
        {
            // Same cost as a known user, so response time does not reveal which names exist.
            if (await _gate.VerifyAsync(() => _verifyPassword(password, snapshot.DummyHash), cancellationToken).ConfigureAwait(false) is null)
            {
                return Busy;
            }

            Log.UnknownUser(_logger, loginName);
            return DirectoryResult.Invalid;
        }

        if (!_cache.IsRecentSuccess(user, password))
        {
            var verified = await _gate.VerifyAsync(() => _verifyPassword(password, user.PasswordHash), cancellationToken).ConfigureAwait(false);
            if (verified is null)
            {
                return Busy;
            }

            if (verified == false)
            {
                Log.WrongPassword(_logger, loginName, user.UserPrincipalName);
                return DirectoryResult.Invalid;
            }

            if (!user.Disabled)
            {
                _cache.Add(user, password);
            }
        }

        if (user.Disabled)
        {
            Log.AccountDisabled(_logger, user.UserPrincipalName);
            return new DirectoryResult(DirectoryOutcome.Disabled, user.ToMailboxUser());
        }

        return DirectoryResult.Ok(user.ToMailboxUser());
    }

    /// <summary>No password check slot came free in time: the directory is, for this login, unavailable.</summary>
    private static DirectoryResult Busy { get; } = new(DirectoryOutcome.Unavailable, null);

    private DirectorySnapshot LoadAndReport() => Report(DirectoryFileLoader.Load(_path));

    private DirectorySnapshot Report(DirectorySnapshot snapshot)
    {
        foreach (var upn in snapshot.MalformedHashUsers)
        {
            Log.PasswordHashMalformed(_logger, upn, _path);
        }

        Log.Loaded(_logger, snapshot.ByUserPrincipalName.Count, _path);
        return snapshot;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3206, EventName = nameof(EventIds.DirectoryLoaded), Level = LogLevel.Information,
            Message = "Loaded {UserCount} users from the directory file {Path}.")]
        public static partial void Loaded(ILogger logger, int userCount, string path);

        [LoggerMessage(EventId = 3210, EventName = nameof(EventIds.DirectoryPasswordHashMalformed), Level = LogLevel.Error,
            Message = "The password hash of {User} in {Path} is not $pbkdf2-sha256$i=<iterations>$<salt>$<key>; the user cannot log in until it is fixed (Proxy.Host hash-password makes one).")]
        public static partial void PasswordHashMalformed(ILogger logger, string user, string path);

        [LoggerMessage(EventId = 3211, EventName = nameof(EventIds.DirectoryUnknownUser), Level = LogLevel.Debug,
            Message = "Login name {LoginName} is not in the directory.")]
        public static partial void UnknownUser(ILogger logger, string loginName);

        [LoggerMessage(EventId = 3212, EventName = nameof(EventIds.DirectoryWrongPassword), Level = LogLevel.Debug,
            Message = "Wrong password for {LoginName} ({User}).")]
        public static partial void WrongPassword(ILogger logger, string loginName, string user);

        [LoggerMessage(EventId = 3213, EventName = nameof(EventIds.DirectoryAccountDisabled), Level = LogLevel.Information,
            Message = "The account {User} is disabled in the directory.")]
        public static partial void AccountDisabled(ILogger logger, string user);

        [LoggerMessage(EventId = 3214, EventName = nameof(EventIds.DirectoryLoginNameRejected), Level = LogLevel.Debug,
            Message = "A login name of {Length} characters holds control characters; refused without lookup.")]
        public static partial void LoginNameRejected(ILogger logger, int length);

        [LoggerMessage(EventId = 3215, EventName = nameof(EventIds.DirectoryReloadFailed), Level = LogLevel.Error,
            Message = "Reloading the directory file {Path} failed; the previous users stay in force: {Errors}")]
        public static partial void ReloadFailed(ILogger logger, string path, string errors);
    }
}
