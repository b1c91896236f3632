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

            T[] Run(bool unpacked, bool threeOne, int threads, bool expectPacked)
            {
                var c = new T[s.Count * cSize];
                c.AsSpan().Fill(sentinel);
                bool savedA = Tiles.t_unpackedA, savedCut = Tiles.t_threeOne;
                Tiles.t_unpackedA = unpacked;
                Tiles.t_threeOne = threeOne;
                try
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
                finally
                {
                    Tiles.t_unpackedA = savedA;
                    Tiles.t_threeOne = savedCut;
                }
                return c;
            }

            bool packs = !s.RowsApart && s.Count == 1 && s.Rows > S.TileRows && (s.Vectors + 2) / 3 >= 8;
            T[] plain = Run(unpacked: true, threeOne: true, threads: 1, expectPacked: false);
            foreach (int threads in new[] { 1, 2 })
            {
                AssertIdentical<T>(plain, Run(unpacked: false, threeOne: false, threads, expectPacked: packs), $"{what} on {threads} threads");
                AssertIdentical<T>(plain, Run(unpacked: false, threeOne: true, threads, expectPacked: packs), $"{what} cut 3 + 1 on {threads} threads");
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
                    for (int q = 0; q < stored; q++)
                    {
                        T sum = T.Zero;
                        for (int t = 0; t < s.Taps; t++)
                        {
                            T x = a[p * aSize + r * aRow + aOff[t]], y = b[p * bSize + bOff[t] + q];
                            sum = fused ? T.FusedMultiplyAdd(x, y, sum) : x * y + sum;
                        }
                        expected[p * cSize + r * ldc + q] = sum;
                    }
                }
            }
            AssertIdentical<T>(expected, plain, $"{what} against the lane-by-lane chain");
        }
    }
}
