using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Proxy.Core.Relay;

/// <summary>
/// Reads the backend's stream straight into the client's output buffer, so a relayed byte is
/// copied by the kernel into that buffer and by the kernel out of it, and never by the proxy
/// (pipe to pipe, every byte was also copied from the backend reader's buffer into the client's).
/// An idle session holds no buffer: a zero-byte read waits for data before memory is taken,
/// except right after a read that filled its buffer (more is almost surely waiting, and skipping
/// the wait saves a system call per 64 KiB of a bulk transfer).
/// </summary>
internal sealed class DirectStreamSource(Stream stream, PipeWriter destination)
{
    /// <summary>The most one read takes: as large as the pipe's reads were (finding 1 of docs/performance.md).</summary>
    public const int ReadSize = 64 * 1024;

    private bool _lastReadFilled;

    /// <summary>
    /// The bytes read, in the destination's memory and not yet advanced (the caller observes,
    /// then advances); empty when the backend ended its stream.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Memory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_lastReadFilled)
        {
            await stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }

        var memory = destination.GetMemory(ReadSize);
        var read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
        _lastReadFilled = read == memory.Length;
        return memory[..read];
    }
}
