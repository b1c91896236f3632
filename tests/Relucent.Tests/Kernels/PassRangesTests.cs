using System.Numerics;
using System.Runtime.InteropServices;
using Relucent.Kernels;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The element-wise passes shared among kernel threads in ranges (<see cref="PassRanges"/>) give the same bits as
    /// on one thread (a NaN staying a NaN): ReLU and ReLU6 forward, every rule of both backward, the residual sum, the
    /// fused residual sum and ReLU (<see cref="ResidualKernels"/>) both ways, separate and in place, on every SIMD
    /// path, 1 to 3 threads, lengths around the vector widths and the range unit, with NaN, ±0, ±∞ and subnormals.
    /// </summary>
    public class PassRangesTests
    {
        // Around the vector widths (2 to 16 lanes) and the 64-element range unit, a length that leaves a 1-element last range,
        // and passes above the default threshold (whole units and not).
        private static readonly int[] Lengths = { 0, 1, 3, 7, 15, 16, 17, 63, 64, 65, 129, 1000, 4097, 8 * 64 + 1, PassRanges.MinimumElements, PassRanges.MinimumElements + 37 };

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Split_passes_give_the_same_bits_as_serial_ones_in_float(int width) => SimdPathTests.OnPath(width, () => SameBits<float>(width));

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Split_passes_give_the_same_bits_as_serial_ones_in_double(int width) => SimdPathTests.OnPath(width, () => SameBits<double>(width));

        [Fact]
        public void Passes_split_only_from_the_threshold_on_and_never_when_switched_off_or_suppressed()
        {
            using (KernelParallelism.Override(threads: 2))
            {
                Assert.Equal(1, PassRanges.Threads(PassRanges.MinimumElements - 1));
                Assert.Equal(2, PassRanges.Threads(PassRanges.MinimumElements));
                using (new PassSwitches(minimumElements: 1)) Assert.Equal(2, PassRanges.Threads(2));
                using (new PassSwitches(serial: true)) Assert.Equal(1, PassRanges.Threads(PassRanges.MinimumElements * 4));
                KernelParallelism.SuppressOnThisThread(); // as a batch worker
                try
                {
                    Assert.Equal(1, PassRanges.Threads(PassRanges.MinimumElements * 4));
                }
                finally
                {
                    KernelParallelism.Restore();
                }
            }
            using (KernelParallelism.Override(threads: 1)) Assert.Equal(1, PassRanges.Threads(PassRanges.MinimumElements * 4));
        }

        [Fact]
        public void An_output_partly_overlapping_an_input_is_treated_as_on_one_thread()
        {
            // An output starting half a pass after its input: split into ranges, no range's operands would overlap, so the
            // residual sum's refusal (TensorPrimitives checks its whole spans) would be lost and the others' results would
            // depend on which thread ran first. Such a pass must run on the calling thread alone, as it did before splitting.
            const int n = 4 * 64;
            var rng = new Random(11);
            float[] Filled() => Enumerable.Range(0, 2 * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            float[] initial = Filled(), other = Filled();
            foreach (int threads in new[] { 1, 2, 3 })
            {
                using var scope = KernelParallelism.Override(threads);
                using var split = new PassSwitches(minimumElements: 1);
                float[] buffer = (float[])initial.Clone();
                Assert.Throws<ArgumentException>(() => ElementwiseKernels.Add<float>(buffer.AsSpan(0, n), other.AsSpan(0, n), buffer.AsSpan(n / 2, n)));
            }
            foreach (var (name, pass) in new (string, Action<float[]>)[]
            {
                ("relu", buffer => ActivationKernels.Relu<float>(buffer.AsSpan(0, n), buffer.AsSpan(n / 2, n))),
                ("saliency rule", buffer => ReluRules.Saliency<float>(other.AsSpan(0, n), buffer.AsSpan(0, n), buffer.AsSpan(n / 2, n))),
            })
            {
                float[] serial = (float[])initial.Clone();
                using (KernelParallelism.Override(1)) pass(serial);
                foreach (int threads in new[] { 2, 3 })
                {
                    using var scope = KernelParallelism.Override(threads);
                    using var split = new PassSwitches(minimumElements: 1);
                    float[] buffer = (float[])initial.Clone();
                    pass(buffer);
                    Assert.True(buffer.AsSpan().SequenceEqual(serial), $"{name} on {threads} threads");
                }
            }
        }

        [Fact]
        public void Ranges_cover_the_pass_exactly_once_in_whole_units()
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                foreach (int length in Lengths)
                {
                    var counts = new int[length];
                    var starts = new List<int>();
                    Cover(length, threads, counts, starts);
                    Assert.True(counts.All(c => c == 1), $"length {length} on {threads} threads: an element covered {counts.FirstOrDefault(c => c != 1)} times");
                    Assert.All(starts, s => Assert.True(s % PassRanges.Unit == 0, $"length {length}: a range starts at {s}"));
                }
            }
        }

        private static unsafe void Cover(int length, int threads, int[] counts, List<int> starts)
        {
            var ranges = new List<(int, int)>();
            var handle = GCHandle.Alloc(ranges);
            try
            {
                PassRanges.Run(length, threads, &Record, (void*)GCHandle.ToIntPtr(handle));
            }
            finally
            {
                handle.Free();
            }
            foreach (var (first, end) in ranges)
            {
                starts.Add(first);
                for (int i = first; i < end; i++) counts[i]++;
            }
        }

        private static unsafe void Record(void* context, int first, int end)
        {
            var ranges = (List<(int, int)>)GCHandle.FromIntPtr((IntPtr)context).Target!;
            lock (ranges) ranges.Add((first, end));
        }

        private static void SameBits<T>(int width) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(width);
            foreach (int n in Lengths)
            {
                T[] x = Values<T>(rng, n, 8), r = Values<T>(rng, n, 1), b = Values<T>(rng, n, 4);
                foreach (var (name, pass) in Passes<T>(x, r, b))
                {
                    T[] serial = Run(pass, n, threads: 1, split: false);
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        T[] split = Run(pass, n, threads, split: true);
                        int at = FirstDifference(serial, split);
                        Assert.True(at < 0, $"{name}, {typeof(T).Name}, n = {n}, {threads} threads, SIMD width {width}: [{at}] = {(at < 0 ? default : split[at])}, expected the bits of {(at < 0 ? default : serial[at])}");
                    }
                }
            }
        }

        /// <summary>The pass's output, written over a sentinel (so an element left unwritten shows), with the passes split or not.</summary>
        private static T[] Run<T>(Action<T[]> pass, int n, int threads, bool split) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var y = new T[n];
            Array.Fill(y, T.CreateTruncating(123.25));
            using (KernelParallelism.Override(threads, minimumWork: 0))
            using (new PassSwitches(serial: !split, minimumElements: 1))
            {
                pass(y);
            }
            return y;
        }

        /// <summary>Every element-wise pass with its output <c>y</c>, separate from its inputs and in place (the output starting as a copy of an input).</summary>
        private static IEnumerable<(string, Action<T[]>)> Passes<T>(T[] x, T[] r, T[] b) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] z = new T[x.Length], z6 = new T[x.Length];
            ActivationKernels.Relu<T>(x, z);
            ActivationKernels.Relu6<T>(x, z6);
            yield return ("relu", y => ActivationKernels.Relu<T>(x, y));
            yield return ("relu in place", y => { x.CopyTo(y, 0); ActivationKernels.Relu<T>(y, y); });
            yield return ("relu6", y => ActivationKernels.Relu6<T>(x, y));
            yield return ("add", y => ElementwiseKernels.Add<T>(x, b, y));
            yield return ("add in place", y => { x.CopyTo(y, 0); ElementwiseKernels.Add<T>(y, b, y); });
            yield return ("saliency", y => ReluRules.Saliency<T>(z, r, y));
            yield return ("deconvnet", y => ReluRules.DeconvNet<T>(r, y));
            yield return ("guided backprop", y => ReluRules.GuidedBackprop<T>(z, r, y));
            yield return ("apply guided backprop in place", y => { r.CopyTo(y, 0); ReluRules.Apply<T, GuidedBackpropRule>(z, y, y); });
            yield return ("deconvnet in place", y => { r.CopyTo(y, 0); ReluRules.Apply<T, DeconvNetRule>(y, y, y); });
            foreach (BackwardRule rule in Rules.All)
            {
                yield return ("relu6 " + rule, y => Rules.Apply<T>(Rectifier.Relu6, rule, z6, r, y));
                yield return ("relu6 " + rule + " in place", y => { r.CopyTo(y, 0); Rules.Apply<T>(Rectifier.Relu6, rule, z6, y, y); });
            }
            yield return ("relu6 apply saliency", y => Relu6Rules.Apply<T, SaliencyRule>(z6, r, y));
            yield return ("residual add relu", y => ResidualKernels.AddRelu<T>(x, b, y));
            yield return ("residual add relu in place", y => { x.CopyTo(y, 0); ResidualKernels.AddRelu<T>(y, b, y); });
            yield return ("residual add saliency", y => ResidualKernels.AddRule<T, SaliencyRule>(z, r, b, y));
            yield return ("residual add deconvnet", y => ResidualKernels.AddRule<T, DeconvNetRule>(z, r, b, y));
            yield return ("residual add guided backprop", y => ResidualKernels.AddRule<T, GuidedBackpropRule>(z, r, b, y));
            yield return ("residual add guided backprop in place", y => { r.CopyTo(y, 0); ResidualKernels.AddRule<T, GuidedBackpropRule>(z, y, b, y); });
        }

        /// <summary>Uniform values in ±<paramref name="range"/>, about one in eight a special: NaN, ±0, ±∞, ±the least subnormal, 6.</summary>
        private static T[] Values<T>(Random rng, int n, double range) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] specials = { T.NaN, T.Zero, T.NegativeZero, T.PositiveInfinity, T.NegativeInfinity, T.Epsilon, -T.Epsilon, T.CreateTruncating(6) };
            var values = new T[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = rng.Next(8) == 0 ? specials[rng.Next(specials.Length)] : T.CreateTruncating((rng.NextDouble() * 2 - 1) * range);
            }
            return values;
        }

        /// <summary>
        /// The first index whose values differ in their bits, or −1. A NaN need only be a NaN: NaN + NaN has no fixed payload
        /// (the optimising JIT may swap an addition's operands, and x86 keeps the first operand's NaN; see ResidualKernelTests).
        /// </summary>
        private static int FirstDifference<T>(T[] expected, T[] actual) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < expected.Length; i++)
            {
                bool same = T.IsNaN(expected[i]) ? T.IsNaN(actual[i]) : MemoryMarshal.AsBytes(expected.AsSpan(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan(i, 1)));
                if (!same) return i;
            }
            return -1;
        }
    }
}
