using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Max pooling of "same" stride-1 windows (GoogLeNet's Inception pools, <c>MaxPool2d(3, 1, padding=1, ceil_mode=True)</c>),
    /// which AVX-512 machines run separably (rows, then columns): bit for bit the naive loop's choice (the first maximum in
    /// window order, NaN over numbers, never the padding) and bit for bit the general kernels' outputs and switches
    /// (<see cref="SamePool512.t_off"/> switches this thread to them), on inputs full of ties, signed zeros, infinities and
    /// NaN, whose order a separable maximum could get wrong. Also the unpooling's check of the switches, vectorised.
    /// </summary>
    public class SamePoolingTests
    {
        /// <summary>How the values of a case are drawn.</summary>
        public enum Values
        {
            Uniform,
            FewIntegers,
            AllEqual,
            SignedZeros,
            NegativeWithInfinities,
            WithNaN,
        }

        public record struct Case(int Channels, int Height, int Width, int Kernel, bool Ceil, Values Values, int Seed)
        {
            public readonly PoolGeometry Geometry => new(Channels, Height, Width, Kernel, 1, Kernel / 2, Kernel / 2, Kernel / 2, Kernel / 2, Ceil);

            public readonly Naive.Pool Pool => new(Channels, Height, Width, Kernel, 1, Kernel / 2, Kernel / 2, Kernel / 2, Kernel / 2, Ceil);
        }

        // Windows 1, 3 and 5 (3 most often), planes from 1×1 to 40×40 (widths below the window take the general kernels),
        // so rows are shorter and longer than a vector and planes end anywhere in one.
        private static readonly Gen<Case> Cases =
            Gen.Select(Gen.Int[1, 4], Gen.Int[1, 40], Gen.Int[1, 40], Gen.OneOf(Gen.Const(3), Gen.Const(1), Gen.Const(5)), Gen.Bool, Gen.Enum<Values>(), Gen.Int)
                .Select((c, h, w, k, ceil, values, seed) => new Case(c, h, w, k, ceil, values, seed));

        internal static float[] Input(Values values, int size, Random rng) => values switch
        {
            Values.Uniform => To<float>(Uniform(rng, size)),
            Values.FewIntegers => Enumerable.Range(0, size).Select(_ => (float)rng.Next(-2, 3)).ToArray(),
            Values.AllEqual => Enumerable.Repeat(-1.5f, size).ToArray(),
            Values.SignedZeros => Enumerable.Range(0, size).Select(_ => rng.Next(3) switch { 0 => 0f, 1 => -0f, _ => -1f }).ToArray(),
            Values.NegativeWithInfinities => Enumerable.Range(0, size).Select(_ => rng.Next(3) == 0 ? float.NegativeInfinity : -rng.Next(1, 4)).ToArray(),
            _ => Enumerable.Range(0, size).Select(_ => rng.Next(4) == 0 ? float.NaN : rng.Next(-2, 3)).ToArray(),
        };

        [Fact]
        public void Same_pooling_chooses_as_the_naive_loop_and_the_general_kernels_bit_for_bit() =>
            Cases.Sample(Check, iter: Iterations(400));

        [Theory]
        [InlineData(192, 28, 28)]
        [InlineData(480, 14, 14)]
        [InlineData(832, 7, 7)]
        public void GoogLeNets_inception_pools_match_the_general_kernels_bit_for_bit(int channels, int height, int width)
        {
            foreach (Values values in Enum.GetValues<Values>()) Check(new Case(channels, height, width, 3, true, values, channels + (int)values));
        }

        private static void Check(Case c)
        {
            var g = c.Geometry;
            var rng = new Random(c.Seed);
            float[] x = Input(c.Values, g.InputSize, rng);
            var (y, switches) = Forward(x, g, off: false);
            var (yOff, switchesOff) = Forward(x, g, off: true);
            Naive.MaxPool(x.Select(v => (double)v).ToArray(), c.Pool, out int[] argmax);
            Assert.Equal(argmax, switches);
            Assert.Equal(switchesOff, switches);
            for (int o = 0; o < y.Length; o++) AssertBits(x[argmax[o]], y[o], $"y[{o}] of {c}");
            for (int o = 0; o < y.Length; o++) AssertBits(yOff[o], y[o], $"y[{o}] of {c} against the general kernel");
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_switch_outside_its_channels_plane_is_refused_by_index_before_anything_is_written(bool scalarCheck)
        {
            // Planes of 7×7 = 49 outputs (six vectors of 8 and a tail of 1); strays in the vector part and the tail, negative,
            // in the next channel's plane, past the input.
            var g = new PoolGeometry(3, 7, 7, 3, 1, 1, 1, 1, 1, true);
            int plane = 49;
            foreach (var (at, value) in new[] { (0, -1), (5, plane), (48, 2 * plane), (plane + 17, 0), (plane + 48, 3 * plane), (2 * plane + 40, int.MaxValue), (2 * plane + 48, int.MinValue) })
            {
                int[] switches = Enumerable.Range(0, g.OutputSize).ToArray();
                switches[at] = value;
                var dx = new float[g.InputSize];
                dx.AsSpan().Fill(-7);
                bool saved = PoolingKernels.t_scalarSwitchCheck;
                PoolingKernels.t_scalarSwitchCheck = scalarCheck;
                try
                {
                    var e = Assert.Throws<ArgumentException>(() => PoolingKernels.MaxBackward<float>(new float[g.OutputSize], switches, dx, g));
                    Assert.Contains($"switches[{at}] = {value} is outside channel {at / plane}'s input plane", e.Message);
                }
                finally
                {
                    PoolingKernels.t_scalarSwitchCheck = saved;
                }
                Assert.All(dx, v => Assert.Equal(-7f, v));
            }
        }

        [Fact]
        public void Same_pooling_gives_the_same_bits_on_any_number_of_threads()
        {
            var g = new PoolGeometry(37, 14, 14, 3, 1, 1, 1, 1, 1, true);
            var rng = new Random(6);
            float[] x = Input(Values.FewIntegers, g.InputSize, rng);
            (float[] Y, int[] Switches) Run() => Forward(x, g, off: false);

            (float[] Y, int[] Switches) alone;
            using (KernelParallelism.Override(threads: 1)) alone = Run();
            using var shared = KernelParallelism.Override(threads: 3, minimumWork: 0);
            var result = Run();
            AssertAllBits(alone.Y, result.Y, "same pooling on 3 threads");
            Assert.Equal(alone.Switches, result.Switches);
        }

        private static (float[] Y, int[] Switches) Forward(float[] x, PoolGeometry g, bool off) => Forward(x, g, ref SamePool512.t_off, off);

        /// <summary>
        /// Max pooling of <paramref name="x"/> into buffers filled with values no kernel writes, with a kernel's per-thread
        /// switch <paramref name="offSwitch"/> (its general-kernel fallback) set to <paramref name="off"/> on this thread meanwhile.
        /// </summary>
        internal static (float[] Y, int[] Switches) Forward(float[] x, PoolGeometry g, ref bool offSwitch, bool off)
        {
            var y = new float[g.OutputSize];
            var switches = new int[g.OutputSize];
            y.AsSpan().Fill(77);
            switches.AsSpan().Fill(-5);
            bool saved = offSwitch;
            offSwitch = off;
            try
            {
                PoolingKernels.MaxForward<float>(x, y, switches, g);
            }
            finally
            {
                offSwitch = saved;
            }
            return (y, switches);
        }

        internal static void AssertBits(float expected, float actual, string what)
        {
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual)) Assert.Fail($"{what} = {actual}, expected exactly {expected} (bits {BitConverter.SingleToInt32Bits(expected):X8})");
        }

        internal static void AssertAllBits(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) AssertBits(expected[i], actual[i], $"{what}[{i}]");
        }
    }
}
