using System.Numerics;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Forward products with many taps run their sums in chunks of taps kept in L1 (<see cref="Tiles"/>), each chunk
    /// continuing the accumulators the last one stored: the bits must be those of one chain over all the taps, on every SIMD
    /// path, in both precisions, on any number of threads, in every forward driver (straight into y with a masked last
    /// vector, the copy-out of dropped columns, the transposed small map, stride phases, Winograd).
    /// </summary>
    public class TapChunkTests
    {
        // Each has more taps than the scalar float path's chunk and a half (3072), so every path chunks them.
        private static readonly ConvolutionGeometry[] Geometries =
        {
            new(352, 4, 4, 64, 3, 1, 1),                    // 3×3 stride 1 (Winograd on the 512-bit path in float)
            new(352, 3, 3, 48, 3, 1, 1),                    // a small map with many filters: transposed
            new(3200, 5, 5, 24, 1, 1, 0),                   // 1×1 straight into y, the last vector masked
            new(352, 9, 9, 40, 3, 2, 1),                    // stride phases, dropped columns copied out
            new(3200, 8, 8, 16, 1, 1, 0),                   // 1×1 reading the input in place
        };

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Sums_in_chunks_of_taps_give_the_bits_of_one_chain_on_any_number_of_threads(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (var g in Geometries)
            {
                Compare<float>(g, width);
                Compare<double>(g, width);
            }
        });

        private static void Compare<T>(ConvolutionGeometry g, int width) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(g.Channels + g.Height);
            T[] x = To<T>(Uniform(rng, g.InputSize)), w = To<T>(Uniform(rng, g.WeightSize)), b = To<T>(Uniform(rng, g.Filters));
            string what = $"{g.Channels}→{g.Filters} k{g.Kernel} s{g.Stride} at {g.Height}×{g.Width} in {typeof(T).Name} on the {width}-bit path";
            T[] Run(bool unchunked, int threads)
            {
                bool saved = Tiles.t_unchunked;
                Tiles.t_unchunked = unchunked;
                try
                {
                    using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                    var y = new T[g.OutputSize];
                    y.AsSpan().Fill(T.CreateChecked(1234.5));
                    ConvolutionKernels.Forward<T>(x, w, b, y, g, Rectifier.Relu);
                    return y;
                }
                finally
                {
                    Tiles.t_unchunked = saved;
                }
            }

            T[] one = Run(unchunked: true, threads: 1);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                int before = Tiles.t_chunkedProducts;
                T[] chunked = Run(unchunked: false, threads);
                Assert.True(Tiles.t_chunkedProducts > before, $"the forward of {what} ran in one chain: the comparison cannot fail");
                AssertIdentical<T>(one, chunked, $"forward of {what} on {threads} threads");
            }
        }

        /// <summary>And against the naive double loops (the sum of one chunk is checked everywhere else).</summary>
        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Sums_in_chunks_of_taps_match_the_naive_loops(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (var c in new[]
            {
                new GroupedConvolutionTests.Case(352, 48, 1, 3, 3, 3, 1, 1, 1, 1, 1, true, 1),
                new GroupedConvolutionTests.Case(3200, 24, 1, 5, 5, 1, 1, 0, 0, 0, 0, true, 2),
                new GroupedConvolutionTests.Case(352, 32, 1, 7, 6, 3, 2, 1, 0, 1, 1, false, 3),
            })
            {
                GroupedConvolutionTests.Check<float>(c);
                GroupedConvolutionTests.Check<double>(c);
            }
        });
    }
}
