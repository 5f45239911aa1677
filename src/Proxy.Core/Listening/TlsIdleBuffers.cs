using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Proxy.Core.Listening;

/// <summary>
/// Lets OpenSSL free a TLS connection's record buffers while the connection is idle
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>), as nginx, HAProxy and Dovecot do. .NET's OpenSSL shim does
/// not set the mode and offers no way to, so an idle IMAP session over TLS kept both legs' read
/// and write buffers: most of its memory (docs/performance.md, finding 11).
/// <para>
/// The SSL handle is reached through a private field of <see cref="SslStream"/>, and SSL_ctrl is
/// called in the very libssl the runtime loaded (found in /proc/self/maps, never by name: a second
/// libssl would not know the handle). Anything unexpected (another platform, another runtime
/// layout, no libssl loaded) turns this off for the process and leaves the stream as .NET made it;
/// <see cref="Available"/> says which, and a unit test pins it for the runtime the project ships on.
/// </para>
/// </summary>
internal static class TlsIdleBuffers
{
    private const int SslCtrlMode = 33; // SSL_CTRL_MODE, the same in OpenSSL 1.0, 1.1 and 3.x
    private const long SslModeReleaseBuffers = 0x10; // SSL_MODE_RELEASE_BUFFERS

    // The one runtime type whose handle is known to be the SSL* itself (.NET 10, which the project ships on); other
    // layouts wrap it differently, and SSL_ctrl on anything else would crash the process.
    private const string SslHandleType = "Microsoft.Win32.SafeHandles.SafeSslHandle";

    private static readonly Hook Unavailable = new(null!, null!);
    private static Hook? _hook;

    /// <summary>Whether the mode can be set in this process (asked after a handshake: the runtime loads libssl at its first).</summary>
    public static bool Available => Resolve() != Unavailable;

    /// <summary>
    /// Sets the mode on <paramref name="ssl"/> after its handshake, before the session reads or
    /// writes through it. Returns false (and changes nothing) when it cannot be set.
    /// </summary>
    public static bool Release(SslStream ssl) => Resolve() is var hook && hook != Unavailable && hook.Apply(ssl);

    /// <summary>Looked up once; until libssl is loaded nothing is decided, so an early question does not turn it off.</summary>
    private static Hook Resolve()
    {
        if (Volatile.Read(ref _hook) is { } known)
        {
            return known;
        }

        var found = Hook.TryLoad(out var decided);
        if (!decided)
        {
            return Unavailable;
        }

        Interlocked.CompareExchange(ref _hook, found ?? Unavailable, null);
        return _hook;
    }

    /// <summary><c>long SSL_ctrl(SSL *ssl, int cmd, long larg, void *parg)</c></summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate CLong SslCtrl(nint ssl, int cmd, CLong larg, nint parg);

    private sealed class Hook(FieldInfo context, SslCtrl sslCtrl)
    {
        /// <param name="decided">False when libssl is not loaded yet: ask again after a handshake.</param>
        public static Hook? TryLoad(out bool decided)
        {
            decided = true;
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            var field = typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);
            if (field is null || !typeof(SafeHandle).IsAssignableFrom(field.FieldType))
            {
                return null;
            }

            if (LoadedLibSsl() is not { } path)
            {
                decided = false;
                return null;
            }

            try
            {
                var library = NativeLibrary.Load(path);
                return NativeLibrary.TryGetExport(library, "SSL_ctrl", out var export)
                    ? new Hook(field, Marshal.GetDelegateForFunctionPointer<SslCtrl>(export))
                    : null;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                return null;
            }
        }

        public bool Apply(SslStream ssl)
        {
            if (context.GetValue(ssl) is not SafeHandle handle || handle.GetType().FullName != SslHandleType || handle.IsInvalid || handle.IsClosed)
            {
                return false;
            }

            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                var mode = sslCtrl(handle.DangerousGetHandle(), SslCtrlMode, new CLong((nint)SslModeReleaseBuffers), 0);
                return (mode.Value & (nint)SslModeReleaseBuffers) != 0;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        /// <summary>The libssl the runtime's shim has loaded; the shim loads it at the first TLS use, so a handshake has run before this is asked.</summary>
        private static string? LoadedLibSsl()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    var slash = line.IndexOf('/');
                    if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith("libssl.so", StringComparison.Ordinal))
                    {
                        return line[slash..];
                    }
                }
            }
            catch (IOException)
            {
                // No /proc: leave the mode alone.
            }

            return null;
        }
    }
}
