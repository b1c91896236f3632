using System.Diagnostics;
using System.Globalization;

namespace Relucent.Kernels
{
    /// <summary>
    /// Parallelism inside one kernel call (one large convolution or dense layer of a single example), deterministic by
    /// construction: the call's output is cut into fixed pieces (tiles of filters × output positions, blocks of
    /// outputs, ranges of inputs), each piece is computed start to finish by one thread with the same code and the same
    /// order of operations it would have on one thread, so the bits never depend on the thread count or on timing;
    /// threads only decide who computes which piece.
    /// </summary>
    /// <remarks>
    /// <para>The helpers are background threads made on first use; after a piece of work they spin briefly (so the next
    /// layer of the same call finds them awake), then sleep. The calling thread takes pieces too, and never waits for a
    /// helper that has not started: a busy machine only means the caller does more pieces itself. One caller at a time
    /// uses the helpers; a concurrent caller runs its call on its own thread. Workers of a <see cref="BatchRunner{T}"/>
    /// never use them (a batch already has one worker per core).</para>
    /// <para>Only calls of at least <see cref="MinimumWork"/> multiply-adds are split: smaller ones finish before a
    /// helper could help.</para>
    /// <para>The settings are per thread (<see cref="Override"/>), never a process-wide switch another caller could flip.</para>
    /// </remarks>
    public static unsafe class KernelParallelism
    {
        /// <summary>The default <see cref="MinimumWork"/>: 300,000 multiply-adds.</summary>
        public const long DefaultMinimumWork = 300_000;

        private static readonly int s_defaultThreads = DefaultThreads();

        // A scope's settings for the calling thread (0 and −1: none, the process defaults apply).
        [ThreadStatic] private static int t_threads;
        [ThreadStatic] private static long t_minimumWork;
        [ThreadStatic] private static int t_depth;

        /// <summary>
        /// Threads one kernel call on this thread may use, the calling thread included: an <see cref="Override"/> in
        /// force on this thread, else the process default, 1 (off) or the <c>RELUCENT_KERNEL_THREADS</c> environment
        /// variable read at start. Opt-in and experimental: it can pay only when the other cores are idle and do not share
        /// execution units with the caller's; on the 2-vCPU development machine it made batch-1 calls of small networks
        /// slower (a helper spinning between pieces, or preempted mid-piece, costs more than the pieces it takes). For
        /// many examples use <see cref="BatchRunner{T}"/> instead, one example per core.
        /// </summary>
        /// <remarks>There is deliberately no setter: a process-wide switch flipped by one caller would change how every
        /// other thread's calls run (tests run in parallel). Use <see cref="Override"/>, which affects the calling thread alone.</remarks>
        public static int MaxThreads => t_threads > 0 ? t_threads : s_defaultThreads;

        /// <summary>Multiply-adds below which a call on this thread runs on the calling thread alone: an <see cref="Override"/>
        /// in force on this thread, else <see cref="DefaultMinimumWork"/>.</summary>
        public static long MinimumWork => t_depth > 0 ? t_minimumWork : DefaultMinimumWork;

        /// <summary>
        /// Sets, for the calling thread only and until the returned scope is disposed, how many threads its kernel calls may
        /// use and the least work (multiply-adds) a call must have to be shared. Nothing else changes: calls on other
        /// threads keep their own settings, and workers of a <see cref="BatchRunner{T}"/> always run alone. Results are
        /// the same bits whatever the setting. Scopes nest; dispose them in reverse order, on the thread that made them.
        /// </summary>
        /// <param name="threads">1 (no sharing) or more, the calling thread included.</param>
        /// <param name="minimumWork">0 or more; <see cref="DefaultMinimumWork"/> when omitted.</param>
        /// <example><code>using (KernelParallelism.Override(threads: 2)) { net.Saliency(image, target); }</code></example>
        public static Scope Override(int threads, long minimumWork = DefaultMinimumWork)
        {
            if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Use 1 (no parallelism inside a call) or more threads.");
            if (minimumWork < 0) throw new ArgumentOutOfRangeException(nameof(minimumWork), minimumWork, "The minimum work is a count of multiply-adds: 0 or more.");
            var scope = new Scope(t_threads, t_minimumWork, t_depth, Environment.CurrentManagedThreadId);
            t_threads = threads;
            t_minimumWork = minimumWork;
            t_depth++;
            return scope;
        }

        /// <summary>An <see cref="Override"/> in force on one thread; disposing it restores that thread's previous settings.</summary>
        public readonly struct Scope : IDisposable
        {
            private readonly int _threads;
            private readonly long _minimumWork;
            private readonly int _depth;
            private readonly int _thread;

            internal Scope(int threads, long minimumWork, int depth, int thread)
            {
                _threads = threads;
                _minimumWork = minimumWork;
                _depth = depth;
                _thread = thread;
            }

            /// <summary>Restores the settings in force before the <see cref="Override"/> that made this scope.</summary>
            /// <exception cref="InvalidOperationException">Disposed on another thread than the one that made it, or out of order.</exception>
            public void Dispose()
            {
                if (_thread == 0) return; // default(Scope): nothing to undo
                if (Environment.CurrentManagedThreadId != _thread)
                {
                    throw new InvalidOperationException("A KernelParallelism.Override scope must be disposed on the thread that made it: it changes that thread's settings alone.");
                }
                if (t_depth != _depth + 1)
                {
                    throw new InvalidOperationException("KernelParallelism.Override scopes must be disposed in reverse order of their making.");
                }
                t_threads = _threads;
                t_minimumWork = _minimumWork;
                t_depth = _depth;
            }
        }

        // Set on threads that must not fan out (batch workers).
        [ThreadStatic] private static int t_suppressed;

        /// <summary>Runs the calling thread's kernel calls on that thread only, until <see cref="Restore"/> (batch workers use this).</summary>
        internal static void SuppressOnThisThread() => t_suppressed++;

        /// <summary>Undoes one <see cref="SuppressOnThisThread"/>.</summary>
        internal static void Restore() => t_suppressed--;

        /// <summary>The number of pieces worth cutting <paramref name="work"/> multiply-adds into, or 1 to run alone.</summary>
        internal static int Threads(long work) => Threads(work, MinimumWork);

        /// <summary>The number of pieces worth cutting <paramref name="work"/> into, or 1 to run alone: below
        /// <paramref name="minimum"/> (in the same units; element-wise passes count elements, see <see cref="PassRanges"/>).</summary>
        internal static int Threads(long work, long minimum)
        {
            int threads = MaxThreads;
            if (threads <= 1 || t_suppressed > 0 || work < minimum) return 1;
            return threads;
        }

        // The job in flight. s_state packs (job number << 32) | next piece; a piece is claimed by a compare-exchange on
        // it, so a claim made under an old job number fails. The job's fields are written before its number is
        // published and rewritten only after every piece is done, and a claimant reads them after its claim succeeds.
        private static long s_state;
        private static int s_count;
        private static int s_done;
        private static delegate*<void*, int, void> s_body;
        private static void* s_context;
        private static int s_owner; // 1 while a caller uses the helpers
        private static Helper[]? s_helpers;
        private static readonly object s_start = new();

        /// <summary>
        /// How long a helper keeps looking for the next piece of work after one before it sleeps (a sleeping helper needs a
        /// futex wake-up, tens of microseconds, for the next job): 200 µs, about the gap between two layers of one call.
        /// Process-wide: only the benchmarks' <c>spin</c> mode writes it, to compare windows; tests never do.
        /// </summary>
        /// <remarks>
        /// Measured with tests/Benchmarks <c>spin</c> (batch-1 maps, 2 kernel threads, the element-wise passes split,
        /// so the caller's serial stretches are short): on a quiet machine, 1 and 3 ms windows removed the helper's
        /// remaining sleeps (about 15 per ResNet-50 call, 3 per ResNet-18 call) but the maps were no faster (ResNet-50
        /// 149.4, 149.6, 149.5 ms median for 0.2, 1, 3 ms; ResNet-18 54.7, 53.7, 53.5 ms); on a machine whose cores are
        /// shared with other work every longer window was slower or even, 1.0–1.35× at 1 ms and 1.1–1.9× at 3 to 5 ms
        /// (the spinning helper holds the core the caller needs). The window is also CPU burnt after each call's last
        /// job: a process explaining now and then pays at most 200 µs of one core per helper per call.
        /// </remarks>
        internal static long s_spinMicroseconds = 200;

        /// <summary>How many times a helper has gone to sleep (each needs a wake-up for its next job): the benchmarks read it.</summary>
        internal static long s_sleeps;

        /// <summary>
        /// Calls <c>body(context, i)</c> for every piece <c>i &lt; count</c>, on up to <paramref name="threads"/> threads, and
        /// returns when all are done. Pieces must write disjoint outputs; the caller's <paramref name="context"/> (on its
        /// stack) stays valid throughout, since this returns only after the last piece.
        /// </summary>
        internal static void For(int count, int threads, delegate*<void*, int, void> body, void* context)
        {
            if (count <= 1 || threads <= 1 || Interlocked.CompareExchange(ref s_owner, 1, 0) != 0)
            {
                for (int i = 0; i < count; i++) body(context, i);
                return;
            }
            try
            {
                Helper[] helpers = EnsureHelpers(threads - 1);
                s_body = body;
                s_context = context;
                s_count = count;
                Volatile.Write(ref s_done, 0);
                long job = (Volatile.Read(ref s_state) >> 32) + 1;
                Interlocked.Exchange(ref s_state, job << 32); // publish, with a full fence before reading the sleep flags
                for (int h = 0; h < helpers.Length && h < threads - 1; h++) helpers[h].WakeIfSleeping();
                Run(job);
                // The last pieces are in a helper's hands: wait for them, briefly (a piece is microseconds).
                while (Volatile.Read(ref s_done) < count) Thread.SpinWait(1);
                // Close the job: a helper still holding this job's last state can no longer claim a piece, even after
                // the next caller rewrites the fields below.
                Interlocked.Exchange(ref s_state, (job << 32) | int.MaxValue);
            }
            finally
            {
                Volatile.Write(ref s_owner, 0);
            }
        }

        /// <summary>
        /// Calls <c>body(context, first, end)</c> over ranges that cover <c>[0, count)</c>, about four per thread, on up to
        /// <paramref name="threads"/> threads: for loops whose iterations write disjoint outputs (channels, filters).
        /// </summary>
        internal static void ForRanges(int count, int threads, delegate*<void*, int, int, void> body, void* context)
        {
            if (count <= 0) return;
            if (threads <= 1)
            {
                body(context, 0, count);
                return;
            }
            var ranges = new Ranges { Body = body, Context = context, Count = count, Chunk = Math.Max(1, (count + 4 * threads - 1) / (4 * threads)) };
            For((count + ranges.Chunk - 1) / ranges.Chunk, threads, &RangePiece, &ranges);
        }

        private struct Ranges
        {
            public delegate*<void*, int, int, void> Body;
            public void* Context;
            public int Count;
            public int Chunk;
        }

        private static void RangePiece(void* context, int piece)
        {
            ref Ranges ranges = ref System.Runtime.CompilerServices.Unsafe.AsRef<Ranges>(context);
            int first = piece * ranges.Chunk;
            ranges.Body(ranges.Context, first, Math.Min(ranges.Count, first + ranges.Chunk));
        }

        /// <summary>Claims and runs pieces of <paramref name="job"/> until none is left; false if the job was not current.</summary>
        private static bool Run(long job)
        {
            bool ran = false;
            while (true)
            {
                long state = Volatile.Read(ref s_state);
                if (state >> 32 != job) return ran;
                int piece = (int)(state & 0xFFFFFFFF);
                if (piece >= Volatile.Read(ref s_count)) return ran;
                if (Interlocked.CompareExchange(ref s_state, state + 1, state) != state) continue;
                s_body(s_context, piece);
                Interlocked.Increment(ref s_done);
                ran = true;
            }
        }

        /// <summary>Starts the helpers a call on <paramref name="threads"/> threads would use, if not yet made (tests that count allocations call this first).</summary>
        internal static void StartHelpers(int threads)
        {
            if (threads > 1) EnsureHelpers(threads - 1);
        }

        private static Helper[] EnsureHelpers(int wanted)
        {
            Helper[]? helpers = s_helpers;
            if (helpers != null && helpers.Length >= wanted) return helpers;
            lock (s_start)
            {
                helpers = s_helpers ?? Array.Empty<Helper>();
                if (helpers.Length >= wanted) return helpers;
                var grown = new Helper[wanted];
                Array.Copy(helpers, grown, helpers.Length);
                for (int i = helpers.Length; i < wanted; i++) grown[i] = new Helper(i + 1);
                s_helpers = grown;
                return grown;
            }
        }

        private static int DefaultThreads()
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("RELUCENT_KERNEL_THREADS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1)
            {
                return n;
            }
            return 1;
        }

        private sealed class Helper
        {
            private readonly ManualResetEventSlim _wake = new(false);
            private int _sleeping;

            public Helper(int index)
            {
                var thread = new Thread(Loop)
                {
                    IsBackground = true,
                    Name = "Relucent kernel helper " + index.ToString(CultureInfo.InvariantCulture),
                };
                thread.Start();
            }

            public void WakeIfSleeping()
            {
                if (Volatile.Read(ref _sleeping) == 1) _wake.Set();
            }

            private void Loop()
            {
                SuppressOnThisThread(); // pieces never fan out again
                long lastJob = 0;
                while (true)
                {
                    long idleSince = Stopwatch.GetTimestamp(), spinTicks = Stopwatch.Frequency * Volatile.Read(ref s_spinMicroseconds) / 1_000_000;
                    while (Stopwatch.GetTimestamp() - idleSince < spinTicks)
                    {
                        long job = Volatile.Read(ref s_state) >> 32;
                        if (job != lastJob)
                        {
                            Run(job);
                            lastJob = job;
                            idleSince = Stopwatch.GetTimestamp();
                        }
                        else
                        {
                            Thread.SpinWait(1);
                        }
                    }

                    // Sleep, unless a job was published meanwhile (the flag is set before looking: no lost wake-up).
                    _wake.Reset();
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref s_state) >> 32 == lastJob)
                    {
                        Interlocked.Increment(ref s_sleeps);
                        _wake.Wait();
                    }
                    Interlocked.Exchange(ref _sleeping, 0);
                }
            }
        }
    }
}
