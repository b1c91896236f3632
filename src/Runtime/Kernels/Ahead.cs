using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// A block of memory fetched into the L2 cache ahead of its use, a few cache lines per <see cref="Step"/> of the loop working
    /// on the block before it. The backward batch kernel reads each block of W from memory once and then computes with it from
    /// cache for every pair of examples; the hardware prefetcher stops at the block's end, so without this the memory idles
    /// while the core computes and the core waits while the next block arrives. Prefetches change no value, only when the
    /// bytes arrive.
    /// </summary>
    internal unsafe struct Ahead
    {
        private const int Line = 64;

        private byte* _next;
        private readonly byte* _end;
        private readonly int _linesPerStep;

        /// <summary>
        /// <paramref name="bytes"/> bytes from <paramref name="start"/> (nothing when null, or off x86), fetched over
        /// <paramref name="steps"/> steps, whole lines each.
        /// </summary>
        public Ahead(void* start, long bytes, long steps)
        {
            _next = (byte*)start;
            _end = start == null || !Sse.IsSupported ? (byte*)start : (byte*)start + bytes;
            long lines = (bytes + Line - 1) / Line;
            _linesPerStep = (int)Math.Max(1, (lines + Math.Max(1, steps) - 1) / Math.Max(1, steps));
        }

        /// <summary>Whether every line has been asked for.</summary>
        public readonly bool Done => _next >= _end;

        /// <summary>Asks for the next lines, if any are left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step()
        {
            for (int l = 0; l < _linesPerStep && _next < _end; l++, _next += Line) Sse.Prefetch1(_next);
        }
    }
}
