namespace Relucent.Kernels
{
    /// <summary>
    /// The large element-wise passes between kernel calls (ReLU forward, the ReLU rules backward, residual sums) cut into
    /// ranges of whole vectors for the kernel threads (<see cref="KernelParallelism.ForRanges"/>). Every element is computed
    /// by the same code as on one thread, so the bits never depend on the thread count.
    /// </summary>
    internal static unsafe class PassRanges
    {
        /// <summary>
        /// Elements below which a pass runs on the calling thread alone. These passes are memory-bound (a few nanoseconds
        /// per vector), so handing half to a helper pays only once the pass takes tens of microseconds. Measured on the
        /// 2-core development machine (tests/Benchmarks mode <c>passes</c>, float, 2 threads against 1, three runs on a
        /// shared machine): up to 32,768 elements splitting was mostly no faster (0.55–1.65×, as often below 1 as above:
        /// the hand-over costs about what the half saves); at 50,176 and 65,536 ReLU and the sum were even (0.75–1.06×), the
        /// rule pass 0.7–2.8×; from 100,352 on every pass was faster (1.0–2.7×; 1.2–4× from 200,704, partly because two
        /// cores' L2 caches hold what one does not). So ResNet-50's layer1 to layer4 passes (802,816 down to 100,352
        /// elements) and ResNet-18's layer1 and layer2 split, ResNet-18's layer3 and layer4 (50,176 and 25,088) do not.
        /// </summary>
        internal const int MinimumElements = 65_536;

        /// <summary>
        /// A range's length is a multiple of this many elements (the last excepted): whole vectors at every width, for float
        /// and double, so a range runs the same vector loop the whole pass would, and 256-byte ranges (floats) start on
        /// their own cache lines.
        /// </summary>
        internal const int Unit = 64;

        /// <summary>A/B switch for the benchmarks: this thread's passes always run on it alone.</summary>
        [ThreadStatic] internal static bool t_serialPasses;

        /// <summary>Tests set this (per thread) to split passes shorter than <see cref="MinimumElements"/>; 0, the default, means that.</summary>
        [ThreadStatic] internal static int t_minimumElements;

        /// <summary>The widest SIMD path this thread may use (512, 256, 128, or 1 for scalars): read by the caller, passed to the ranges.</summary>
        internal static int Width => SimdWidth.Use512 ? 512 : SimdWidth.Use256 ? 256 : SimdWidth.Use128 ? 128 : 1;

        /// <summary>The threads to share a pass of <paramref name="length"/> elements among, or 1 to run it alone.</summary>
        internal static int Threads(int length) =>
            t_serialPasses ? 1 : KernelParallelism.Threads(length, t_minimumElements > 0 ? t_minimumElements : MinimumElements);

        /// <summary>
        /// The threads to share a pass writing <paramref name="output"/> from <paramref name="a"/> (and <paramref name="b"/>)
        /// among, or 1 to run it alone, as <see cref="Threads(int)"/>; always 1 where the output overlaps an input in part.
        /// Split, such a pass would lose whatever the whole pass gave: ranges whose operands no longer overlap escape a check
        /// made on whole spans (the residual sum's refusal), and a range could read what another thread has already written.
        /// </summary>
        internal static int Threads<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> a, ReadOnlySpan<T> b = default) =>
            PartlyOverlaps(a, output) || PartlyOverlaps(b, output) ? 1 : Threads(output.Length);

        /// <summary>Whether <paramref name="input"/> and <paramref name="output"/> share memory without being the same span's start
        /// (an output that is its input itself reads each value before writing it, at the same index).</summary>
        private static bool PartlyOverlaps<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output) => input.Overlaps(output, out int offset) && offset != 0;

        /// <summary>
        /// Calls <c>body(context, first, end)</c> over ranges covering <c>[0, length)</c> whose lengths are multiples of
        /// <see cref="Unit"/> (the last excepted), on up to <paramref name="threads"/> threads.
        /// </summary>
        internal static void Run(int length, int threads, delegate*<void*, int, int, void> body, void* context)
        {
            if (threads <= 1)
            {
                body(context, 0, length);
                return;
            }
            var job = new Job { Body = body, Context = context, Length = length };
            KernelParallelism.ForRanges((length + Unit - 1) / Unit, threads, &Units, &job);
        }

        /// <summary>A pass's operands, read by its ranges: up to three inputs, the output, and one setting (a SIMD width, a rectifier).</summary>
        internal struct Operands<T> where T : unmanaged
        {
            public T* A, B, C, Y;
            public int Setting;
        }

        private struct Job
        {
            public delegate*<void*, int, int, void> Body;
            public void* Context;
            public int Length;
        }

        private static void Units(void* context, int first, int end)
        {
            ref Job job = ref System.Runtime.CompilerServices.Unsafe.AsRef<Job>(context);
            job.Body(job.Context, first * Unit, Math.Min(job.Length, end * Unit));
        }
    }
}
