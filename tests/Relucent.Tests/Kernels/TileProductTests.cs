using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// <see cref="Tiles.Multiply{T, TV, S}(int, T*, nint, int*, nint, int, T*, nint, int*, int, int, T*, nint, nint, Epilogue{T})"/>
    /// called directly, on shapes that take each of its paths: A read from a packed <see cref="APanel"/> (rows one value
    /// apart, taps 256 or more apart, 8 column tiles or more) with partial row tiles, chunked sums and a block ending in
    /// 4 vectors (cut 2 + 2), and A read in place (rows a whole row apart, several products, one-vector tiles). Each output
    /// lane must be exactly one chain of fused multiply-adds over the taps in table order: on the paths that fuse, the bits
    /// of that chain computed lane by lane here; on every path, the bits of the same call with the packing and the 2 + 2
    /// cut switched off, on 1 and 2 threads.
    /// </summary>
    public unsafe class TileProductTests
    {
        public record Shape(int Count, int Rows, int Vectors, int Taps, int TapStride, bool RowsApart, int LastLanes, int Seed);

        private static readonly Shape[] Shapes =
        {
            new(1, 37, 25, 300, 257, false, 0, 1),   // packed, 5 row tiles of 7–8, chunked, 25 = 7·3 + 2 + 2 vectors
            new(1, 9, 22, 5, 256, false, 3, 2),      // packed, 5 + 4 rows, the last vector of 3 lanes
            new(1, 16, 23, 200, 300, false, 0, 3),   // packed, whole row tiles
            new(3, 13, 4, 70, 256, false, 1, 4),     // three products: read in place, 2 + 2 vectors
            new(1, 11, 7, 40, 0, true, 0, 5),        // rows a row apart (an input gradient): in place, 3 + 2 + 2
            new(2, 5, 1, 33, 0, true, 2, 6),         // one-vector tiles
        };

        public static TheoryData<int> Widths() => SimdPathTests.Widths();

        [Theory]
        [MemberData(nameof(Widths))]
        public void Every_path_gives_one_chain_of_fused_multiply_adds_per_lane_in_float(int width)
        {
            foreach (var shape in Shapes) OnWidth<float>(width, shape);
        }

        [Theory]
        [MemberData(nameof(Widths))]
        public void Every_path_gives_one_chain_of_fused_multiply_adds_per_lane_in_double(int width)
        {
            foreach (var shape in Shapes) OnWidth<double>(width, shape);
        }

        /// <summary>Products whose A a caller keeps in row-tile panels (Winograd's prepared weights): rows that cut 8 + 8, 5 + 4, 8 + 7, 7 alone, 5 × 7–8.</summary>
        private static readonly Shape[] PanelShapes =
        {
            new(3, 16, 4, 70, 256, false, 0, 7),
            new(2, 9, 1, 33, 40, false, 2, 8),
            new(16, 15, 13, 300, 300, false, 0, 9),  // chunked sums over 300 taps
            new(1, 7, 7, 12, 7, false, 5, 10),
            new(2, 37, 25, 40, 37, false, 0, 11),
        };

        [Theory]
        [MemberData(nameof(Widths))]
        public void A_in_caller_panels_gives_the_bits_of_A_in_place(int width)
        {
            foreach (var shape in PanelShapes)
            {
                if (width == 512) Panels<float, Vector512<float>, Simd512<float>>(shape);
                else if (width == 256) Panels<float, Vector256<float>, Simd256<float>>(shape);
                else if (width == 128) Panels<double, Vector128<double>, Simd128<double>>(shape);
                else Panels<float, float, SimdScalar<float>>(shape);
            }
        }

        [Fact]
        public void APanel_lays_each_row_tile_out_tap_after_tap_and_back()
        {
            // 17 rows in tiles of 8: 6 + 6 + 5 (shared evenly, as the tiles share them), each tap's values 8 apart.
            int rows = 17, taps = 3, tileRows = 8;
            int[] aOff = { 0, 40, 20 };
            float[] a = Enumerable.Range(0, 80).Select(i => (float)i).ToArray();
            float[] panel = new float[APanel.Length(rows, taps, tileRows)];
            Assert.Equal(3 * taps * tileRows, panel.Length);
            panel.AsSpan().Fill(-1);
            fixed (float* pa = a, pp = panel)
            fixed (int* po = aOff)
                APanel.PackInto(pa, po, 1, rows, taps, tileRows, pp);
            Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, -1, -1 }, panel[0..8]);      // tile 0, tap 0: rows 0–5
            Assert.Equal(new float[] { 20, 21, 22, 23, 24, 25, -1, -1 }, panel[16..24]); // tile 0, tap 2 (at 20)
            Assert.Equal(new float[] { 6, 7, 8, 9, 10, 11, -1, -1 }, panel[24..32]);  // tile 1, tap 0: rows 6–11
            Assert.Equal(new float[] { 52, 53, 54, 55, 56, -1, -1, -1 }, panel[56..64]); // tile 2, tap 1: rows 12–16 at 40

            // Unpacked: every value A's taps cover comes back to its place, nothing else is written.
            float[] back = new float[a.Length];
            back.AsSpan().Fill(-1);
            fixed (float* pb = back, pp = panel)
            fixed (int* po = aOff)
                APanel.UnpackFrom(pp, po, 1, rows, taps, tileRows, pb);
            for (int i = 0; i < a.Length; i++) Assert.Equal(aOff.Any(o => i >= o && i < o + rows) ? a[i] : -1, back[i]);
        }

        /// <summary>
        /// A packed here into panels (each row tile's rows tap after tap, its unused row slots NaN, so a tile that read one
        /// would spoil its sums), against the same product reading A in place, on 1 and 2 threads.
        /// </summary>
        private static void Panels<T, TV, S>(Shape s)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, tileRows = S.TileRows, ldc = s.Vectors * vl + 3;
            var rng = new Random(s.Seed);
            int aSize = s.Taps * s.TapStride + s.Rows;
            int[] aOff = Enumerable.Range(0, s.Taps).Select(t => t * s.TapStride).ToArray();
            int[] bOff = Enumerable.Range(0, s.Taps).Select(_ => rng.Next(0, 2 * s.Vectors * vl)).ToArray();
            int bSize = 3 * s.Vectors * vl;
            T[] a = To<T>(Uniform(rng, s.Count * aSize)), b = To<T>(Uniform(rng, s.Count * bSize));
            // The tiles' cut: ⌈rows / TileRows⌉ tiles, the first rows % tiles one row longer.
            int tiles = (s.Rows + tileRows - 1) / tileRows;
            int panelSize = tiles * s.Taps * tileRows + 5;
            var panels = new T[s.Count * panelSize];
            panels.AsSpan().Fill(T.NaN);
            for (int p = 0, r0 = 0; p < s.Count; p++, r0 = 0)
            {
                for (int tile = 0; tile < tiles; tile++)
                {
                    int r = s.Rows / tiles + (tile < s.Rows % tiles ? 1 : 0);
                    for (int t = 0; t < s.Taps; t++)
                    {
                        for (int j = 0; j < r; j++) panels[p * panelSize + (tile * s.Taps + t) * tileRows + j] = a[p * aSize + aOff[t] + r0 + j];
                    }
                    r0 += r;
                }
            }
            var epilogue = s.LastLanes > 0 && s.LastLanes < vl ? Epilogue<T>.Masked(s.LastLanes) : default;
            int cSize = s.Rows * ldc;
            string what = $"{s} of {typeof(T).Name} in {typeof(S).Name}";
            T[] Run(bool inPanels, int threads)
            {
                var c = new T[s.Count * cSize];
                using (new TileSwitches(unpackedA: true))
                {
                    using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                    fixed (T* pa = a, pp = panels, pb = b, pc = c)
                    fixed (int* pao = aOff, pbo = bOff)
                    {
                        if (inPanels) Tiles.MultiplyPanels<T, TV, S>(s.Count, pp, panelSize, s.Rows, pb, bSize, pbo, s.Taps, s.Vectors, pc, cSize, ldc, epilogue);
                        else Tiles.Multiply<T, TV, S>(s.Count, pa, aSize, pao, 1, s.Rows, pb, bSize, pbo, s.Taps, s.Vectors, pc, cSize, ldc, epilogue);
                    }
                }
                return c;
            }
            T[] inPlace = Run(inPanels: false, threads: 1);
            Assert.DoesNotContain(inPlace, T.IsNaN);
            foreach (int threads in new[] { 1, 2 }) AssertIdentical<T>(inPlace, Run(inPanels: true, threads), $"{what} in panels on {threads} threads");
        }

        /// <summary>
        /// One output lane as one chain of multiply-adds (fused where the path fuses) over the taps in table order:
        /// <c>Σ_t a[aAt + aOff[t]] · b[bAt + bOff[t]]</c>, the bits every path of the tiles must give.
        /// </summary>
        internal static T Chain<T>(T[] a, int aAt, int[] aOff, T[] b, int bAt, int[] bOff, bool fused) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T sum = T.Zero;
            for (int t = 0; t < aOff.Length; t++)
            {
                T x = a[aAt + aOff[t]], y = b[bAt + bOff[t]];
                sum = fused ? T.FusedMultiplyAdd(x, y, sum) : x * y + sum;
            }
            return sum;
        }

        private static void OnWidth<T>(int width, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (width == 512) Check<T, Vector512<T>, Simd512<T>>(shape, fused: true);
            else if (width == 256) Check<T, Vector256<T>, Simd256<T>>(shape, fused: true);
            else if (width == 128) Check<T, Vector128<T>, Simd128<T>>(shape, fused: Fma.IsSupported || AdvSimd());
            else Check<T, T, SimdScalar<T>>(shape, fused: false);
        }

        private static bool AdvSimd() => System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

        private static void Check<T, TV, S>(Shape s, bool fused)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, columns = s.Vectors * vl, ldc = columns + 5;
            var rng = new Random(s.Seed);
            // A: rows one value apart with taps TapStride apart (a forward's weights), or rows a row apart with taps adjacent.
            int aRow = s.RowsApart ? s.Taps + 3 : 1;
            int[] aOff = Enumerable.Range(0, s.Taps).Select(t => s.RowsApart ? t : t * Math.Max(s.TapStride, s.Rows)).ToArray();
            int aSize = s.RowsApart ? s.Rows * aRow : s.Taps * Math.Max(s.TapStride, s.Rows);
            // B: each tap's run at an arbitrary (unaligned) offset, as implicit im2col's shifted input.
            int[] bOff = Enumerable.Range(0, s.Taps).Select(_ => rng.Next(0, 4 * columns)).ToArray();
            int bSize = 5 * columns;
            T[] a = To<T>(Uniform(rng, s.Count * aSize)), b = To<T>(Uniform(rng, s.Count * bSize));
            int cSize = s.Rows * ldc;
            T sentinel = T.CreateChecked(1234.5);
            int lastLanes = Math.Min(s.LastLanes, vl); // 0: whole vectors
            var epilogue = lastLanes > 0 ? Epilogue<T>.Masked(lastLanes) : default;
            string what = $"{s} of {typeof(T).Name} in {typeof(S).Name}";

            T[] Run(bool unpacked, bool threeOne, int threads, bool expectPacked, bool alwaysBlocked = false)
            {
                var c = new T[s.Count * cSize];
                c.AsSpan().Fill(sentinel);
                using (new TileSwitches(unpackedA: unpacked, threeOne: threeOne, alwaysBlocked: alwaysBlocked))
                {
                    using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                    int before = Tiles.t_packedProducts;
                    fixed (T* pa = a, pb = b, pc = c)
                    fixed (int* pao = aOff, pbo = bOff)
                    {
                        Tiles.Multiply<T, TV, S>(s.Count, pa, aSize, pao, aRow, s.Rows, pb, bSize, pbo, s.Taps, s.Vectors, pc, cSize, ldc, epilogue);
                    }
                    Assert.True(Tiles.t_packedProducts > before == expectPacked,
                        $"{what}: A was {(expectPacked ? "not " : "")}packed ({(unpacked ? "packing off" : "packing on")})");
                }
                return c;
            }

            bool packs = !s.RowsApart && s.Count == 1 && s.Rows > S.TileRows && (s.Vectors + 2) / 3 >= 8;
            T[] plain = Run(unpacked: true, threeOne: true, threads: 1, expectPacked: false);
            foreach (int threads in new[] { 1, 2 })
            {
                AssertIdentical<T>(plain, Run(unpacked: false, threeOne: false, threads, expectPacked: packs), $"{what} on {threads} threads");
                AssertIdentical<T>(plain, Run(unpacked: false, threeOne: true, threads, expectPacked: packs), $"{what} cut 3 + 1 on {threads} threads");
                // These B are small enough to run without column blocks; the blocks large products use give the same bits.
                AssertIdentical<T>(plain, Run(unpacked: false, threeOne: false, threads, expectPacked: packs, alwaysBlocked: true), $"{what} in column blocks on {threads} threads");
            }

            // The stored lanes against one chain of fused multiply-adds per lane; the lanes past the last vector's
            // LastLanes and past each row's columns keep the sentinel.
            var expected = new T[plain.Length];
            expected.AsSpan().Fill(sentinel);
            int stored = lastLanes > 0 ? columns - vl + lastLanes : columns;
            for (int p = 0; p < s.Count; p++)
            {
                for (int r = 0; r < s.Rows; r++)
                {
                    for (int q = 0; q < stored; q++) expected[p * cSize + r * ldc + q] = Chain(a, p * aSize + r * aRow, aOff, b, p * bSize + q, bOff, fused);
                }
            }
            AssertIdentical<T>(expected, plain, $"{what} against the lane-by-lane chain");
        }
    }
}
