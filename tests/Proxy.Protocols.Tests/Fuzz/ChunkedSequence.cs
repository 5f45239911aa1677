using System.Buffers;

namespace Proxy.Tests.Fuzz;

/// <summary>A multi-segment sequence over part of an array, split where the network's chunks ended, as a pipe would hold it.</summary>
internal static class ChunkedSequence
{
    /// <param name="chunkEnds">Offsets in <paramref name="data"/> where one received chunk ended.</param>
    public static ReadOnlySequence<byte> Create(byte[] data, int start, int end, IEnumerable<int> chunkEnds)
    {
        Segment? first = null;
        Segment? last = null;
        var from = start;
        foreach (var to in chunkEnds.Where(e => e > start && e < end).Append(end))
        {
            var segment = new Segment(data.AsMemory(from, to - from));
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Append(segment);
            }

            last = segment;
            from = to;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory)
        {
            Memory = memory;
        }

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
