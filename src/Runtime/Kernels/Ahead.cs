using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// A block of memory fetched into the L2 cache ahead of its use, a line or two per <see cref="Step"/> of the loop working on
    /// the block before it. The dense batch kernels read each block of W from memory once and then compute with it from cache
    /// for every example; the hardware prefetcher stops at the block's end (or, for the forward pass's tiles, follows too many
    /// short runs at once), so without this the memory idles while the core computes and the core waits while the next block
    /// arrives. Measured on AlexNet's fc6 at 8 examples, one core: 1.2-1.35x in each direction (Benchmarks dense-batch-ab
    /// t_noPrefetch). Asking for the lines in bursts (a tile's worth per example, or twice as fast as the steps allow) gained
    /// less or lost. Prefetches change no value, only when the bytes arrive.
    /// </summary>
    /// <remarks>The block is runs of bytes a stride apart: one run (a block of whole columns of W) or a tile's pieces of columns.</remarks>
    internal unsafe struct Ahead : IAhead
    {
        private const int Line = 64;

        private byte* _next; // the next line to ask for
        private byte* _runEnd; // the end of the run it is in
        private readonly long _stride; // between the runs' starts
        private readonly int _runBytes;
        private int _runsLeft; // after this one
        private readonly int _linesPerStep;

        /// <summary>
        /// <paramref name="bytes"/> bytes from <paramref name="start"/> (nothing when null, or off x86), fetched over
        /// <paramref name="steps"/> steps, whole lines each.
        /// </summary>
        public Ahead(void* start, long bytes, long steps)
            : this(start, (int)Math.Min(bytes, int.MaxValue), 1, 0, steps)
        {
        }

        /// <summary>
        /// <paramref name="runs"/> runs of <paramref name="runBytes"/> bytes, <paramref name="stride"/> bytes apart, from
        /// <paramref name="start"/> (nothing when null, or off x86), fetched over <paramref name="steps"/> steps, whole lines each.
        /// </summary>
        public Ahead(void* start, int runBytes, int runs, long stride, long steps)
        {
            bool any = start != null && Sse.IsSupported && runs > 0 && runBytes > 0;
            _next = (byte*)start;
            _runEnd = any ? (byte*)start + runBytes : (byte*)start;
            _stride = stride;
            _runBytes = runBytes;
            _runsLeft = any ? runs - 1 : 0;
            long lines = (long)runs * ((runBytes + Line - 1) / Line);
            _linesPerStep = (int)Math.Max(1, (lines + Math.Max(1, steps) - 1) / Math.Max(1, steps));
        }

        /// <summary>Whether every line has been asked for.</summary>
        public readonly bool Done => _next >= _runEnd && _runsLeft == 0;

        /// <summary>Asks for the next lines, if any are left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step()
        {
            for (int l = 0; l < _linesPerStep; l++)
            {
                if (_next >= _runEnd)
                {
                    if (_runsLeft == 0) return;
                    _runsLeft--;
                    _next = _runEnd - _runBytes + _stride;
                    _runEnd = _next + _runBytes;
                }
                Sse.Prefetch1(_next);
                _next += Line;
            }
        }
    }

    /// <summary>What a kernel's loop calls once per step: <see cref="Ahead"/>, or <see cref="NoAhead"/> where nothing is fetched.</summary>
    internal interface IAhead
    {
        /// <summary>Asks for the next lines, if any.</summary>
        void Step();
    }

    /// <summary>No prefetching: its <see cref="Step"/> is empty, so a loop specialised for it has none.</summary>
    internal struct NoAhead : IAhead
    {
        /// <inheritdoc/>
        public readonly void Step()
        {
        }
    }
}
