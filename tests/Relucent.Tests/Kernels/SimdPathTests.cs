using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Every SIMD path the kernels have (AVX-512, AVX2, 128-bit, scalar, whichever this machine runs, selected per
    /// thread through <see cref="SimdWidth.s_limit"/>) against the naive loops, on sizes that cross the register tiles:
    /// more than 8 filters and channels (a second row tile and a partial one), output planes of several column tiles
    /// with partial vectors, dense layers of more than one block of 8 vectors, the 2×2 max-pool fast path with short
    /// rows. Also: results never depend on what an earlier call left in the per-thread scratch buffers.
    /// </summary>
    public class SimdPathTests
    {
        /// <summary>The widths to run here: every path the hardware can execute, and the scalar one (limit 1).</summary>
        public static TheoryData<int> Widths()
        {
            var widths = new TheoryData<int> { 1 };
            if (Vector128.IsHardwareAccelerated) widths.Add(128);
            if (Vector256.IsHardwareAccelerated && Fma.IsSupported) widths.Add(256);
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) widths.Add(512);
            return widths;
        }

        /// <summary>Runs <paramref name="action"/> on this thread with the kernels limited to <paramref name="width"/> (see <see cref="Widths"/>).</summary>
        internal static void OnPath(int width, Action action)
        {
            int saved = SimdWidth.s_limit;
            SimdWidth.s_limit = width;
            try
            {
                action();
            }
            finally
            {
                SimdWidth.s_limit = saved;
            }
        }

        public record struct ConvCase(int Channels, int Height, int Width, int Filters, int Kernel, int Stride, int Padding, bool Bias, int Seed);

        // Up to 20 channels and filters (row tiles of 8 and 4 plus a remainder), planes up to 40 wide (several column
        // tiles of 3 vectors and a partial one), kernels 1 to 5, strides 1 to 3, padding up to 3 (beyond k − 1 too).
        private static readonly Gen<ConvCase> ConvCases =
            Gen.Select(Gen.Int[1, 20], Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[1, 20], Gen.Int[1, 5], Gen.Int[1, 3], Gen.Int[0, 3], Gen.Select(Gen.Bool, Gen.Int))
                .Select((c, h, w, f, k, s, p, rest) => new ConvCase(c, h, w, f, k, s, p, rest.Item1, rest.Item2))
                .Where(c => c.Kernel <= c.Height + 2 * c.Padding && c.Kernel <= c.Width + 2 * c.Padding && c.Channels * c.Height * c.Width * c.Filters <= 60000);

        [Theory]
        [MemberData(nameof(Widths))]
        public void Convolution_matches_the_naive_loops_on_every_path_in_float(int width) =>
            ConvCases.Sample(c => OnPath(width, () => CheckConvolution<float>(c)), iter: Numerics.Iterations(60));

        [Theory]
        [MemberData(nameof(Widths))]
        public void Convolution_matches_the_naive_loops_on_every_path_in_double(int width) =>
            ConvCases.Sample(c => OnPath(width, () => CheckConvolution<double>(c)), iter: Numerics.Iterations(60));

        /// <summary>The shapes of the benchmark networks (stride 1, 3×3), each direction, on every path.</summary>
        [Theory]
        [MemberData(nameof(Widths))]
        public void Convolution_matches_the_naive_loops_on_the_benchmark_shapes(int width) => OnPath(width, () =>
        {
            foreach (var c in new[]
            {
                new ConvCase(3, 32, 32, 16, 3, 1, 1, true, 1), new ConvCase(16, 32, 32, 16, 3, 1, 1, true, 2),
                new ConvCase(16, 16, 16, 32, 3, 1, 1, true, 3), new ConvCase(32, 16, 16, 32, 3, 1, 1, true, 4),
                new ConvCase(1, 28, 28, 32, 3, 1, 0, true, 5), new ConvCase(32, 26, 26, 64, 3, 1, 0, true, 6),
                new ConvCase(1, 12, 12, 4, 3, 1, 1, true, 7), new ConvCase(4, 6, 6, 8, 3, 1, 0, true, 8),
            })
            {
                CheckConvolution<float>(c);
            }
        });

        /// <summary>Forward (and each rectifier fused), input gradient and parameter gradients against the naive loops (<see cref="GroupedConvolutionTests"/>).</summary>
        private static void CheckConvolution<T>(ConvCase c) where T : unmanaged, IFloatingPointIeee754<T> =>
            GroupedConvolutionTests.Check<T>(new GroupedConvolutionTests.Case(c.Channels, c.Filters, 1, c.Height, c.Width, c.Kernel, c.Stride, c.Padding, c.Padding, c.Padding, c.Padding, c.Bias, c.Seed));

        // The Winograd path (3×3, stride 1, padding ≤ 2, at least 8 channels and filters; float on AVX-512): odd and even
        // output sizes (partial 2×2 tiles), tile rows shorter and longer than a vector of 16 tiles, channel counts that
        // are not multiples of the register tile, both directions.
        private static readonly Gen<ConvCase> WinogradCases =
            Gen.Select(Gen.Int[8, 40], Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[8, 40], Gen.Int[0, 2], Gen.Bool, Gen.Int)
                .Select((c, h, w, f, p, bias, seed) => new ConvCase(c, h, w, f, 3, 1, p, bias, seed))
                .Where(c => c.Height + 2 * c.Padding >= 4 && c.Width + 2 * c.Padding >= 4 && c.Channels * c.Height * c.Width * c.Filters <= 400000);

        [Fact]
        public void Winograd_convolution_matches_the_naive_loops() =>
            WinogradCases.Sample(CheckConvolution<float>, iter: Numerics.Iterations(80));

        // Inputs up to 300, outputs up to 300 (two blocks of 8 vectors of 16 floats, a partial vector), with zeros in x.
        private static readonly Gen<(int, int, bool, int)> DenseCases = Gen.Select(Gen.Int[1, 300], Gen.Int[1, 300], Gen.Bool, Gen.Int);

        [Theory]
        [MemberData(nameof(Widths))]
        public void Dense_matches_the_naive_loops_on_every_path(int width)
        {
            DenseCases.Sample((n, m, bias, seed) => OnPath(width, () => CheckDense<float>(n, m, bias, seed)), iter: Numerics.Iterations(60));
            DenseCases.Sample((n, m, bias, seed) => OnPath(width, () => CheckDense<double>(n, m, bias, seed)), iter: Numerics.Iterations(60));
        }

        private static void CheckDense<T>(int inputs, int outputs, bool withBias, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            double[] x = Representable<T>(Uniform(rng, inputs));
            for (int i = 0; i < inputs; i += 3) x[i] = 0; // post-ReLU zeros: their columns are skipped
            double[] w = Representable<T>(Uniform(rng, inputs * outputs));
            double[]? b = withBias ? Representable<T>(Uniform(rng, outputs)) : null;
            double[] dy = Representable<T>(Uniform(rng, outputs));
            T[] weight = To<T>(ColumnMajor(w, outputs, inputs));
            double tolerance = Tolerance<T>(1e-5, 1e-13) * Math.Max(1, Math.Sqrt(Math.Max(inputs, outputs) / 16.0));

            var y = new T[outputs];
            y.AsSpan().Fill(T.CreateChecked(99));
            DenseKernels.Forward<T>(To<T>(x), weight, b is null ? ReadOnlySpan<T>.Empty : To<T>(b), y, inputs, outputs);
            AssertClose(Naive.Dense(x, w, b, inputs, outputs), y, tolerance, $"y of {inputs}→{outputs}", floor: 1);

            var dx = new T[inputs];
            dx.AsSpan().Fill(T.CreateChecked(99));
            DenseKernels.BackwardInput<T>(To<T>(dy), weight, dx, inputs, outputs);
            AssertClose(Naive.DenseBackward(dy, w, inputs, outputs), dx, tolerance, $"dx of {inputs}→{outputs}", floor: 1);
        }

        public record struct PoolCase(int Channels, int Height, int Width, int Kernel, int Stride, bool Ties, int Seed);

        // Mostly the 2×2 stride-2 fast path: rows shorter and longer than a vector of outputs, odd sizes.
        private static readonly Gen<PoolCase> PoolCases =
            Gen.Select(Gen.Int[1, 5], Gen.Int[2, 70], Gen.Int[2, 70], Gen.OneOf(Gen.Const(2), Gen.Int[1, 3]), Gen.OneOf(Gen.Const(2), Gen.Int[1, 3]), Gen.Bool, Gen.Int)
                .Select((c, h, w, k, s, ties, seed) => new PoolCase(c, h, w, k, s, ties, seed))
                .Where(c => c.Kernel <= c.Height && c.Kernel <= c.Width);

        [Theory]
        [MemberData(nameof(Widths))]
        public void Max_pooling_matches_the_naive_loop_on_every_path(int width)
        {
            PoolCases.Sample(c => OnPath(width, () => CheckMaxPool<float>(c)), iter: Numerics.Iterations(100));
            PoolCases.Sample(c => OnPath(width, () => CheckMaxPool<double>(c)), iter: Numerics.Iterations(30));
        }

        private static void CheckMaxPool<T>(PoolCase c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(c.Seed);
            var g = new PoolGeometry(c.Channels, c.Height, c.Width, c.Kernel, c.Stride);
            int size = g.InputSize;
            double[] x = c.Ties ? Enumerable.Range(0, size).Select(_ => (double)rng.Next(-2, 3)).ToArray() : Representable<T>(Uniform(rng, size));
            double[] expected = Naive.MaxPool(x, c.Channels, c.Height, c.Width, c.Kernel, c.Stride, out int[] argmax);
            var y = new T[g.OutputSize];
            var switches = new int[g.OutputSize];
            y.AsSpan().Fill(T.CreateChecked(77));
            switches.AsSpan().Fill(-5);
            PoolingKernels.MaxForward<T>(To<T>(x), y, switches, g);
            AssertClose(expected, y, 0, $"y of {c}");
            Assert.Equal(argmax, switches);

            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            var dx = new T[size];
            dx.AsSpan().Fill(T.One);
            PoolingKernels.MaxBackward<T>(To<T>(dy), switches, dx, g);
            AssertClose(Naive.MaxPoolBackward(dy, argmax, size), dx, Tolerance<T>(1e-6, 1e-15), $"dx of {c}", floor: 1);
        }

        [Theory]
        [MemberData(nameof(Widths))]
        public void Max_pooling_propagates_the_first_NaN_of_a_window_on_every_path(int width) => OnPath(width, () =>
        {
            // Every layout of NaN and numbers in 2×2 windows, rows of 19 windows (a vector of 16 and a partial one).
            var g = new PoolGeometry(2, 4, 38, 2, 2);
            var rng = new Random(12);
            for (int trial = 0; trial < 50; trial++)
            {
                var x = new float[g.InputSize];
                for (int i = 0; i < x.Length; i++) x[i] = rng.Next(4) == 0 ? float.NaN : rng.Next(-3, 4);
                var y = new float[g.OutputSize];
                var switches = new int[g.OutputSize];
                PoolingKernels.MaxForward<float>(x, y, switches, g);
                int o = 0;
                for (int c = 0; c < g.Channels; c++)
                {
                    for (int oy = 0; oy < g.OutputHeight; oy++)
                    {
                        for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                        {
                            // The scalar rule: replace when greater, or when NaN over a number.
                            int best = (c * g.Height + 2 * oy) * g.Width + 2 * ox;
                            foreach (int at in new[] { best, best + 1, best + g.Width, best + g.Width + 1 })
                            {
                                if (x[at] > x[best] || float.IsNaN(x[at]) && !float.IsNaN(x[best])) best = at;
                            }
                            Assert.Equal(best, switches[o]);
                            Assert.Equal(x[best], y[o]);
                        }
                    }
                }
            }
        });

        [Theory]
        [MemberData(nameof(Widths))]
        public void Relu_rules_match_their_definitions_on_every_path_including_in_place(int width) => OnPath(width, () =>
        {
            var rng = new Random(4);
            foreach (int n in new[] { 1, 7, 15, 16, 17, 31, 33, 64, 100 })
            {
                float[] z = To<float>(Uniform(rng, n, -1, 1)).Select(v => Math.Max(v, 0)).ToArray();
                float[] r = To<float>(Uniform(rng, n, -1, 1));
                r[0] = float.NaN;
                if (n > 2) r[2] = -0f;
                foreach (Relucent.BackwardRule rule in new[] { Relucent.BackwardRule.Saliency, Relucent.BackwardRule.DeconvNet, Relucent.BackwardRule.GuidedBackprop })
                {
                    float[] expected = r.Select((v, i) => rule switch
                    {
                        Relucent.BackwardRule.Saliency => z[i] > 0 ? v : 0f,
                        Relucent.BackwardRule.DeconvNet => v > 0 ? v : 0f,
                        _ => z[i] > 0 && v > 0 ? v : 0f,
                    }).ToArray();
                    var separate = new float[n];
                    float[] inPlace = (float[])r.Clone();
                    Apply(rule, z, r, separate);
                    Apply(rule, z, inPlace, inPlace);
                    AssertIdentical<float>(expected, separate, $"{rule} n={n}");
                    AssertIdentical<float>(expected, inPlace, $"{rule} in place n={n}");
                }
            }

            static void Apply(Relucent.BackwardRule rule, float[] z, float[] r, float[] rIn)
            {
                switch (rule)
                {
                    case Relucent.BackwardRule.Saliency: ReluRules.Saliency<float>(z, r, rIn); break;
                    case Relucent.BackwardRule.DeconvNet: ReluRules.DeconvNet<float>(r, rIn); break;
                    default: ReluRules.GuidedBackprop<float>(z, r, rIn); break;
                }
            }
        });

        [Fact]
        public void Results_do_not_depend_on_what_earlier_calls_left_in_scratch()
        {
            // A small convolution, then large ones of other shapes (which grow and fill the per-thread scratch with
            // other data, NaN included), then the small one again: the same bits.
            var small = new ConvolutionGeometry(3, 7, 9, 5, 3, 1, 1);
            var rng = new Random(8);
            float[] x = To<float>(Uniform(rng, small.InputSize)), w = To<float>(Uniform(rng, small.WeightSize)), b = To<float>(Uniform(rng, small.Filters));
            float[] dy = To<float>(Uniform(rng, small.OutputSize));
            float[] Forward()
            {
                var y = new float[small.OutputSize];
                ConvolutionKernels.Forward<float>(x, w, b, y, small);
                return y;
            }

            float[] Backward()
            {
                var dx = new float[small.InputSize];
                ConvolutionKernels.BackwardInput<float>(dy, w, dx, small);
                return dx;
            }

            float[] y0 = Forward(), dx0 = Backward();
            foreach (var big in new[] { new ConvolutionGeometry(12, 30, 31, 17, 3, 1, 2), new ConvolutionGeometry(2, 40, 40, 3, 5, 2, 0) })
            {
                var bx = Enumerable.Repeat(float.NaN, big.InputSize).ToArray();
                var bw = Enumerable.Repeat(float.PositiveInfinity, big.WeightSize).ToArray();
                ConvolutionKernels.Forward<float>(bx, bw, ReadOnlySpan<float>.Empty, new float[big.OutputSize], big);
                ConvolutionKernels.BackwardInput<float>(Enumerable.Repeat(float.NaN, big.OutputSize).ToArray(), bw, new float[big.InputSize], big);
            }
            AssertIdentical<float>(y0, Forward(), "forward after other calls");
            AssertIdentical<float>(dx0, Backward(), "input gradient after other calls");

            // And on another thread, whose scratch is its own.
            float[] y1 = [], dx1 = [];
            var thread = new Thread(() => { y1 = Forward(); dx1 = Backward(); });
            thread.Start();
            thread.Join();
            AssertIdentical<float>(y0, y1, "forward on another thread");
            AssertIdentical<float>(dx0, dx1, "input gradient on another thread");
        }

        [Fact]
        public void Sharing_one_call_among_threads_changes_no_bit()
        {
            // The thread counts are this thread's alone (KernelParallelism.Override): other tests running meanwhile keep theirs.
            var rng = new Random(6);
            foreach (var g in new[] { new ConvolutionGeometry(13, 21, 19, 19, 3, 1, 1), new ConvolutionGeometry(3, 30, 30, 9, 5, 2, 2), new ConvolutionGeometry(2, 17, 17, 11, 3, 1, 0) })
            {
                float[] x = To<float>(Uniform(rng, g.InputSize)), w = To<float>(Uniform(rng, g.WeightSize)), b = To<float>(Uniform(rng, g.Filters));
                float[] dy = To<float>(Uniform(rng, g.OutputSize));
                (float[] Y, float[] Dx) Run()
                {
                    var y = new float[g.OutputSize];
                    var dx = new float[g.InputSize];
                    ConvolutionKernels.Forward<float>(x, w, b, y, g);
                    ConvolutionKernels.BackwardInput<float>(dy, w, dx, g);
                    return (y, dx);
                }

                (float[] Y, float[] Dx) alone;
                using (KernelParallelism.Override(threads: 1)) alone = Run();
                foreach (int threads in new[] { 2, 3, 4 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    for (int repeat = 0; repeat < 5; repeat++)
                    {
                        var result = Run();
                        AssertIdentical<float>(alone.Y, result.Y, $"forward of {g.Channels}×{g.Height}×{g.Width} on {threads} threads");
                        AssertIdentical<float>(alone.Dx, result.Dx, $"input gradient of {g.Channels}×{g.Height}×{g.Width} on {threads} threads");
                    }
                }
            }

            foreach (var (inputs, outputs) in new[] { (3000, 128), (700, 300), (5000, 10) })
            {
                float[] x = To<float>(Uniform(rng, inputs)), w = To<float>(Uniform(rng, inputs * outputs)), b = To<float>(Uniform(rng, outputs)), dy = To<float>(Uniform(rng, outputs));
                (float[] Y, float[] Dx) Run()
                {
                    var y = new float[outputs];
                    var dx = new float[inputs];
                    DenseKernels.Forward<float>(x, w, b, y, inputs, outputs);
                    DenseKernels.BackwardInput<float>(dy, w, dx, inputs, outputs);
                    return (y, dx);
                }

                (float[] Y, float[] Dx) alone;
                using (KernelParallelism.Override(threads: 1)) alone = Run();
                foreach (int threads in new[] { 2, 3, 4 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    var result = Run();
                    AssertIdentical<float>(alone.Y, result.Y, $"dense forward {inputs}→{outputs} on {threads} threads");
                    AssertIdentical<float>(alone.Dx, result.Dx, $"dense backward {inputs}→{outputs} on {threads} threads");
                }
            }
        }

        [Fact]
        public void Calls_allocate_nothing_after_the_first()
        {
            var g = new ConvolutionGeometry(8, 20, 20, 12, 3, 1, 1);
            var pool = new PoolGeometry(12, 20, 20, 2, 2);
            var rng = new Random(2);
            float[] x = To<float>(Uniform(rng, g.InputSize)), w = To<float>(Uniform(rng, g.WeightSize)), b = To<float>(Uniform(rng, g.Filters));
            float[] y = new float[g.OutputSize], dx = new float[g.InputSize], p = new float[pool.OutputSize], dw = To<float>(Uniform(rng, 300 * 40));
            float[] dIn = new float[300], dOut = new float[40];
            int[] switches = new int[pool.OutputSize];
            void All()
            {
                ConvolutionKernels.Forward<float>(x, w, b, y, g);
                ConvolutionKernels.BackwardInput<float>(y, w, dx, g);
                PoolingKernels.MaxForward<float>(y, p, switches, pool);
                PoolingKernels.MaxBackward<float>(p, switches, y, pool);
                DenseKernels.Forward<float>(dIn, dw, ReadOnlySpan<float>.Empty, dOut, 300, 40);
                DenseKernels.BackwardInput<float>(dOut, dw, dIn, 300, 40);
                ReluRules.Saliency<float>(y, y, y);
            }

            AssertAllocatesNothing(All, calls: 10);
        }
    }
}
