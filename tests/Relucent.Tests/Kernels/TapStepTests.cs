using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Where both offset tables of a product step evenly (every 1×1 convolution's, a packed panel's), <see cref="Tiles"/>
    /// walks the taps by pointer steps and prefetches a few taps ahead instead of reading the tables: the same addresses in
    /// the same order, so every output lane must keep the bits of the tables' loop (<see cref="Tiles.t_tables"/>), with and
    /// without the prefetch, on every tile shape (rows 1–17, vectors 1–10), chunked sums, packed A, masked last vectors and
    /// epilogues, several products, caller panels, in both precisions on every SIMD path, on 1 and 2 threads.
    /// </summary>
    public unsafe class TapStepTests
    {
        public static TheoryData<int> Widths() => SimdPathTests.Widths();

        [Fact]
        public void Evenly_accepts_exactly_the_tables_that_step_evenly()
        {
            foreach (int taps in new[] { 1, 2, 3, 15, 16, 17, 40 })
            {
                foreach (int step in new[] { 0, 1, -3, 784, 1 << 20 })
                {
                    int[] off = Enumerable.Range(0, taps).Select(t => 11 + t * step).ToArray();
                    fixed (int* p = off)
                    {
                        Assert.True(Tiles.Evenly(p, taps, out int found), $"{taps} taps {step} apart");
                        Assert.Equal(taps > 1 ? step : 0, found);
                        // One entry off by one, at each place (in a whole vector of entries or the remainder): not even
                        // (two taps always step evenly).
                        for (int t = 1; t < taps && taps > 2; t++)
                        {
                            off[t]++;
                            Assert.False(Tiles.Evenly(p, taps, out _), $"{taps} taps {step} apart, tap {t} moved");
                            off[t]--;
                        }
                    }
                }
            }
            // Steps whose sums wrap around an int agree with the table modulo 2³² only: refused.
            int[] wrapping = { 0, int.MaxValue, -2 };
            fixed (int* p = wrapping) Assert.False(Tiles.Evenly(p, 3, out _));
            int[] none = { 5 };
            fixed (int* p = none) Assert.False(Tiles.Evenly(p, 0, out _));
        }

        [Theory]
        [MemberData(nameof(Widths))]
        public void Every_tile_shape_steps_to_the_bits_of_the_tables(int width)
        {
            var rng = new Random(width);
            for (int rows = 1; rows <= 17; rows++)
            {
                for (int vectors = 1; vectors <= 10; vectors++)
                {
                    // A as a forward's weights (rows one value apart) or an input gradient's (rows a row apart), by turns;
                    // B's taps evenly apart by a step that is no whole number of vectors (unaligned runs); epilogues by turns.
                    var shape = new Shape(1, rows, vectors, 1 + (rows * vectors) % 19, RowsApart: (rows + vectors) % 2 == 0, Epilogue: (rows + 2 * vectors) % 3, rng.Next());
                    OnWidth(width, shape, threads: 1);
                }
            }
        }

        /// <summary>Sums in chunks of taps, A packed into panels (37 rows, 25 vectors), several products, one-vector tiles, on 1 and 2 threads.</summary>
        [Theory]
        [MemberData(nameof(Widths))]
        public void Chunked_packed_and_batched_products_step_to_the_bits_of_the_tables(int width)
        {
            foreach (var shape in new Shape[]
            {
                new(1, 37, 25, -1, RowsApart: false, Epilogue: 2, 1),  // packed A (taps 260 apart), chunked
                new(1, 9, 7, -1, RowsApart: false, Epilogue: 1, 2),    // chunked, the last vector masked
                new(3, 13, 4, 70, RowsApart: false, Epilogue: 0, 3),   // three products: 2 + 2 vectors
                new(2, 11, 1, 33, RowsApart: true, Epilogue: 2, 4),    // rows a row apart, one-vector tiles
            })
            {
                foreach (int threads in new[] { 1, 2 }) OnWidth(width, shape, threads);
            }
        }

        [Theory]
        [MemberData(nameof(Widths))]
        public void Caller_panels_step_to_the_bits_of_the_tables(int width)
        {
            if (width == 512) Panels<float, Vector512<float>, Simd512<float>>();
            else if (width == 256) Panels<double, Vector256<double>, Simd256<double>>();
            else if (width == 128) Panels<float, Vector128<float>, Simd128<float>>();
            else Panels<double, double, SimdScalar<double>>();
        }

        /// <summary>The forward and input gradient of 1×1 convolutions (straight into y, transposed on a small map, in place) through every driver.</summary>
        [Theory]
        [MemberData(nameof(Widths))]
        public void Convolutions_step_to_the_bits_of_the_tables(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (var g in new ConvolutionGeometry[]
            {
                new(40, 9, 9, 24, 1, 1, 0),     // straight into y, the last vector masked
                new(64, 3, 3, 96, 1, 1, 0),     // few positions, many filters: transposed
                new(24, 8, 8, 16, 1, 1, 0),     // the input in place
                new(16, 7, 7, 20, 1, 1, 0),     // an odd map
            })
            {
                Convolution<float>(g, width);
                Convolution<double>(g, width);
            }
        });

        /// <summary>A product's shape: <paramref name="Taps"/> −1 for more taps than one and a half chunks; <paramref name="Epilogue"/> 0 none, 1 a masked last vector, 2 bias and ReLU with it.</summary>
        public record Shape(int Count, int Rows, int Vectors, int Taps, bool RowsApart, int Epilogue, int Seed);

        private static void OnWidth(int width, Shape shape, int threads)
        {
            OnWidth<float>(width, shape, threads);
            OnWidth<double>(width, shape, threads);
        }

        private static void OnWidth<T>(int width, Shape shape, int threads) where T : unmanaged, IFloatingPointIeee754<T>
        {
            bool fused = width >= 256 || width == 128 && (Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported);
            if (width == 512) Check<T, Vector512<T>, Simd512<T>>(shape, threads, fused);
            else if (width == 256) Check<T, Vector256<T>, Simd256<T>>(shape, threads, fused);
            else if (width == 128) Check<T, Vector128<T>, Simd128<T>>(shape, threads, fused);
            else Check<T, T, SimdScalar<T>>(shape, threads, fused);
        }

        /// <summary>The product through the tables, stepping without prefetch and stepping with it; the stepping calls must step, and the tables' result must be the lane-by-lane chain.</summary>
        private static void Check<T, TV, S>(Shape s, int threads, bool fused)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, columns = s.Vectors * vl, ldc = columns + 3;
            int taps = s.Taps > 0 ? s.Taps : ChunkedTaps<T>(vl);
            var rng = new Random(s.Seed);
            // A: rows one value apart, taps 260 apart (at least 256: packed where the shape allows), or rows a row apart.
            int aRow = s.RowsApart ? taps + 3 : 1, aTap = s.RowsApart ? 1 : Math.Max(260, s.Rows);
            int aSize = s.RowsApart ? s.Rows * aRow : taps * aTap;
            int[] aOff = Enumerable.Range(0, taps).Select(t => t * aTap).ToArray();
            // B: tap t's run at 5 + t · (columns + 7): evenly apart, no whole number of vectors.
            int bTap = columns + 7, bSize = 5 + taps * bTap + columns;
            int[] bOff = Enumerable.Range(0, taps).Select(t => 5 + t * bTap).ToArray();
            T[] a = To<T>(Uniform(rng, s.Count * aSize)), b = To<T>(Uniform(rng, s.Count * bSize)), bias = To<T>(Uniform(rng, s.Rows));
            int lastLanes = s.Epilogue > 0 ? 1 + s.Seed % vl : 0;
            int cSize = s.Rows * ldc;
            T sentinel = T.CreateChecked(1234.5);
            string what = $"{s} over {taps} taps of {typeof(T).Name} in {typeof(S).Name} on {threads} threads";

            T[] Run(bool tables, bool unprefetched)
            {
                var c = new T[s.Count * cSize];
                c.AsSpan().Fill(sentinel);
                using (new TileSwitches(tables: tables, unprefetched: unprefetched))
                {
                    using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                    int stepped = Tiles.t_steppedProducts;
                    fixed (T* pa = a, pb = b, pc = c, pbias = bias)
                    fixed (int* pao = aOff, pbo = bOff)
                    {
                        var epilogue = s.Epilogue switch
                        {
                            1 => Epilogue<T>.Masked(lastLanes),
                            2 => new Epilogue<T>(pbias, Rectifier.Relu, lastLanes),
                            _ => default,
                        };
                        Tiles.Multiply<T, TV, S>(s.Count, pa, aSize, pao, aRow, s.Rows, pb, bSize, pbo, taps, s.Vectors, pc, cSize, ldc, epilogue);
                    }
                    Assert.True(Tiles.t_steppedProducts > stepped == !tables, $"{what}: the taps were {(tables ? "" : "not ")}walked by steps");
                }
                return c;
            }

            T[] expected = Run(tables: true, unprefetched: false);
            AssertIdentical<T>(expected, Run(tables: false, unprefetched: true), $"{what}, stepping");
            AssertIdentical<T>(expected, Run(tables: false, unprefetched: false), $"{what}, stepping and prefetching");

            // The tables' loop against one chain of fused multiply-adds per lane (plus bias and ReLU where asked), the lanes
            // past the last vector's and the row's keeping the sentinel.
            int stored = lastLanes > 0 ? columns - vl + lastLanes : columns;
            for (int p = 0; p < s.Count; p++)
            {
                for (int r = 0; r < s.Rows; r++)
                {
                    for (int q = 0; q < ldc; q++)
                    {
                        T want = sentinel;
                        if (q < stored)
                        {
                            T sum = TileProductTests.Chain(a, p * aSize + r * aRow, aOff, b, p * bSize + q, bOff, fused);
                            want = s.Epilogue == 2 ? T.Max(sum + bias[r], T.Zero) : sum;
                        }
                        if (!want.Equals(expected[p * cSize + r * ldc + q])) Assert.Fail($"{what}: product {p} row {r} lane {q} is {expected[p * cSize + r * ldc + q]}, the chain {want}");
                    }
                }
            }
        }

        /// <summary>Taps enough for the sums to run in chunks (more than one and a half chunks) on vectors of <paramref name="vl"/> values.</summary>
        private static int ChunkedTaps<T>(int vl) where T : unmanaged => 2 * Tiles.Chunk(int.MaxValue, vl * sizeof(T), 1) + 5;

        /// <summary>A in caller panels (Winograd's layout), several products, chunked: stepping against the tables.</summary>
        private static void Panels<T, TV, S>()
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, tileRows = S.TileRows, count = 3, rows = 2 * tileRows + 3, vectors = 7, taps = ChunkedTaps<T>(vl), ldc = vectors * vl;
            var rng = new Random(17);
            long panelSize = APanel.Length(rows, taps, tileRows);
            int bTap = ldc + 3, bSize = taps * bTap + ldc;
            int[] bOff = Enumerable.Range(0, taps).Select(t => t * bTap).ToArray();
            T[] panels = To<T>(Uniform(rng, (int)(count * panelSize))), b = To<T>(Uniform(rng, count * bSize));
            int cSize = rows * ldc;
            T[] Run(bool tables)
            {
                var c = new T[count * cSize];
                using (new TileSwitches(tables: tables))
                {
                    int stepped = Tiles.t_steppedProducts, chunked = Tiles.t_chunkedProducts;
                    fixed (T* pp = panels, pb = b, pc = c)
                    fixed (int* pbo = bOff)
                        Tiles.MultiplyPanels<T, TV, S>(count, pp, (nint)panelSize, rows, pb, bSize, pbo, taps, vectors, pc, cSize, ldc, Epilogue<T>.Masked(vl - 1));
                    Assert.True(Tiles.t_steppedProducts > stepped == !tables && Tiles.t_chunkedProducts > chunked, $"panels of {typeof(T).Name} in {typeof(S).Name}: stepped {!tables}, chunked");
                }
                return c;
            }
            AssertIdentical<T>(Run(tables: true), Run(tables: false), $"panels of {typeof(T).Name} in {typeof(S).Name}");
        }

        private static void Convolution<T>(ConvolutionGeometry g, int width) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(g.Channels + g.Filters);
            T[] x = To<T>(Uniform(rng, g.InputSize)), w = To<T>(Uniform(rng, g.WeightSize)), bias = To<T>(Uniform(rng, g.Filters)), dy = To<T>(Uniform(rng, g.OutputSize));
            string what = $"{g.Channels}→{g.Filters} at {g.Height}×{g.Width} in {typeof(T).Name} on the {width}-bit path";
            (T[] Y, T[] Dx) Run(bool tables, int threads)
            {
                using var switches = new TileSwitches(tables: tables);
                using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                var y = new T[g.OutputSize];
                var dx = new T[g.InputSize];
                int stepped = Tiles.t_steppedProducts;
                ConvolutionKernels.Forward<T>(x, w, bias, y, g, Rectifier.Relu);
                ConvolutionKernels.BackwardInput<T>(dy, w, dx, g);
                Assert.True(Tiles.t_steppedProducts - stepped == (tables ? 0 : 2), $"{what}: {Tiles.t_steppedProducts - stepped} of 2 products stepped");
                return (y, dx);
            }
            var (y0, dx0) = Run(tables: true, threads: 1);
            foreach (int threads in new[] { 1, 2 })
            {
                var (y, dx) = Run(tables: false, threads);
                AssertIdentical<T>(y0, y, $"forward of {what} on {threads} threads");
                AssertIdentical<T>(dx0, dx, $"input gradient of {what} on {threads} threads");
            }
        }
    }
}
