using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;
using Values = Relucent.Tests.Kernels.SamePoolingTests.Values;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Max pooling at stride 2 (the stem pools: GoogLeNet's ceil-mode 3×3, ResNet's padded 3×3, AlexNet's), which AVX-512
    /// machines run separably (<see cref="StridePool512"/>): bit for bit the naive loop's choice and the general kernels'
    /// outputs and switches (<see cref="StridePool512.t_off"/> switches this thread to them), for any window up to 5, any
    /// padding per side below the window, ceil mode on and off, on inputs full of ties, signed zeros, infinities and NaN.
    /// </summary>
    public class StridePoolingTests
    {
        private static readonly Gen<(Naive.Pool Pool, Values Values, int Seed)> Cases =
            Gen.Select(Gen.Int[1, 3], Gen.Int[1, 40], Gen.Int[1, 70], Gen.OneOf(Gen.Const(3), Gen.Int[1, 5]), Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 4]), Gen.Bool, Gen.Enum<Values>(), Gen.Int)
                .Select((c, h, w, k, pads, ceil, values, seed) => (new Naive.Pool(c, h, w, k, 2, Math.Min(pads.Item1, k - 1), Math.Min(pads.Item2, k - 1), Math.Min(pads.Item3, k - 1), Math.Min(pads.Item4, k - 1), ceil), values, seed))
                .Where(c => c.Item1.Kernel <= c.Item1.Height + c.Item1.Top + c.Item1.Bottom && c.Item1.Kernel <= c.Item1.Width + c.Item1.Left + c.Item1.Right);

        [Fact]
        public void Stride_2_pooling_chooses_as_the_naive_loop_and_the_general_kernels_bit_for_bit() =>
            Cases.Sample(c => Check(c.Pool, c.Values, c.Seed), iter: Iterations(400));

        [Theory]
        [InlineData(64, 112, 0, true)]   // GoogLeNet maxpool1
        [InlineData(192, 56, 0, true)]   // maxpool2
        [InlineData(480, 28, 0, true)]   // maxpool3
        [InlineData(64, 112, 1, false)]  // ResNet's stem
        [InlineData(64, 55, 0, false)]   // AlexNet
        public void The_zoos_stride_2_pools_match_the_general_kernels_bit_for_bit(int channels, int side, int padding, bool ceil)
        {
            foreach (Values values in Enum.GetValues<Values>()) Check(new Naive.Pool(channels, side, side, 3, 2, padding, padding, padding, padding, ceil), values, side + (int)values);
        }

        private static void Check(Naive.Pool v, Values values, int seed)
        {
            var g = new PoolGeometry(v.Channels, v.Height, v.Width, v.Kernel, v.Stride, v.Top, v.Left, v.Bottom, v.Right, v.Ceil);
            float[] x = SamePoolingTests.Input(values, g.InputSize, new Random(seed));
            var (y, switches) = Forward(x, g, off: false);
            var (yOff, switchesOff) = Forward(x, g, off: true);
            Naive.MaxPool(x.Select(f => (double)f).ToArray(), v, out int[] argmax);
            Assert.Equal(argmax, switches);
            Assert.Equal(switchesOff, switches);
            for (int o = 0; o < y.Length; o++) SamePoolingTests.AssertBits(x[argmax[o]], y[o], $"y[{o}] of {v} ({values})");
            SamePoolingTests.AssertAllBits(yOff, y, $"y of {v} ({values}) against the general kernel");
        }

        [Fact]
        public void Stride_2_pooling_gives_the_same_bits_on_any_number_of_threads()
        {
            var g = new PoolGeometry(23, 30, 30, 3, 2, 0, 0, 0, 0, true);
            float[] x = SamePoolingTests.Input(Values.FewIntegers, g.InputSize, new Random(8));
            (float[] Y, int[] Switches) alone;
            using (KernelParallelism.Override(threads: 1)) alone = Forward(x, g, off: false);
            using var shared = KernelParallelism.Override(threads: 3, minimumWork: 0);
            var result = Forward(x, g, off: false);
            SamePoolingTests.AssertAllBits(alone.Y, result.Y, "stride-2 pooling on 3 threads");
            Assert.Equal(alone.Switches, result.Switches);
        }

        private static (float[] Y, int[] Switches) Forward(float[] x, PoolGeometry g, bool off) => SamePoolingTests.Forward(x, g, ref StridePool512.t_off, off);
    }
}
