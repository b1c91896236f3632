using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// Rows split into, and merged from, their stride phases: column <c>i</c> of a row belongs to phase <c>i mod s</c> at
    /// <c>⌊i/s⌋</c>. Strided convolutions stage their input this way (each tap then reads a contiguous run) and gather their
    /// input gradient phase by phase. Stride 2 in float on AVX-512 moves 32 values at a time through a two-register
    /// permute; other cases walk each phase with a step of <c>s</c>, never dividing per value.
    /// </summary>
    internal static unsafe class PhaseRows
    {
        /// <summary>
        /// <c>target[φ·phaseStride + ⌊(ix + offset)/s⌋] = source[ix]</c> with <c>φ = (ix + offset) mod s</c>, for <c>ix &lt; width</c>
        /// (<paramref name="offset"/> ≥ 0: the columns of padding before the row).
        /// </summary>
        public static void Split<T>(T* source, int width, int offset, int s, T* target, int phaseStride) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (s == 2 && typeof(T) == typeof(float) && SimdWidth.Use512)
            {
                Split2((float*)source, width, offset, (float*)target, phaseStride);
                return;
            }
            for (int phase = 0; phase < s; phase++)
            {
                int ix = ((phase - offset) % s + s) % s; // the first column of this phase
                T* row = target + phase * phaseStride + (ix + offset) / s;
                for (; ix < width; ix += s) *row++ = source[ix];
            }
        }

        /// <summary>
        /// <c>target[ix] = phases[φ·phaseStride + ⌊(ix + offset)/s⌋]</c> with <c>φ = (ix + offset) mod s</c>, for <c>ix &lt; width</c>:
        /// the inverse of <see cref="Split{T}"/>.
        /// </summary>
        public static void Merge<T>(T* phases, int phaseStride, int s, int offset, T* target, int width) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (s == 2 && typeof(T) == typeof(float) && SimdWidth.Use512)
            {
                Merge2((float*)phases, phaseStride, offset, (float*)target, width);
                return;
            }
            for (int phase = 0; phase < s; phase++)
            {
                int ix = ((phase - offset) % s + s) % s; // the first column of this phase
                T* row = phases + phase * phaseStride + (ix + offset) / s;
                for (; ix < width; ix += s) target[ix] = *row++;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Split2(float* source, int width, int offset, float* target, int phaseStride)
        {
            Vector512<int> even = Vector512<int>.Indices * 2, odd = even + Vector512<int>.One;
            int evenPhase = offset & 1;
            float* evenTarget = target + evenPhase * phaseStride + offset / 2; // ix = 0 lands at ⌊offset/2⌋
            float* oddTarget = target + (1 - evenPhase) * phaseStride + (offset + 1) / 2;
            for (int ix = 0; ix < width; ix += 32)
            {
                int count = Math.Min(32, width - ix);
                Vector512<float> a = Simd512<float>.LoadFirst(source + ix, Math.Min(16, count));
                Vector512<float> b = count > 16 ? Simd512<float>.LoadFirst(source + ix + 16, count - 16) : Vector512<float>.Zero;
                Simd512<float>.StoreFirst(evenTarget + ix / 2, Avx512F.PermuteVar16x32x2(a, even, b), (count + 1) / 2);
                if (count > 1) Simd512<float>.StoreFirst(oddTarget + ix / 2, Avx512F.PermuteVar16x32x2(a, odd, b), count / 2);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Merge2(float* phases, int phaseStride, int offset, float* target, int width)
        {
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), high = low + Vector512.Create(8);
            // ix = 2m takes column 2m + offset, ix = 2m + 1 the next: each a run of one phase from ⌊offset/2⌋ or ⌊(offset + 1)/2⌋.
            float* evens = phases + (offset & 1) * phaseStride + offset / 2;
            float* odds = phases + ((offset + 1) & 1) * phaseStride + (offset + 1) / 2;
            for (int ix = 0; ix < width; ix += 32)
            {
                int count = Math.Min(32, width - ix);
                Vector512<float> e = Simd512<float>.LoadFirst(evens + ix / 2, (count + 1) / 2);
                Vector512<float> o = count > 1 ? Simd512<float>.LoadFirst(odds + ix / 2, count / 2) : Vector512<float>.Zero;
                Simd512<float>.StoreFirst(target + ix, Avx512F.PermuteVar16x32x2(e, low, o), Math.Min(16, count));
                if (count > 16) Simd512<float>.StoreFirst(target + ix + 16, Avx512F.PermuteVar16x32x2(e, high, o), count - 16);
            }
        }
    }
}
