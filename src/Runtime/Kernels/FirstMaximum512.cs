using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// The step of a running "first maximum" (value and flat index) in 16 lanes, as the scalar max-pooling loop takes it:
    /// a later value wins only when strictly greater, NaN counting as greater than every number and equal to another NaN.
    /// Separable max pooling folds partial maxima of consecutive pieces of a window with it, in window order.
    /// </summary>
    internal static class FirstMaximum512
    {
        /// <summary>
        /// Folds in <paramref name="v"/>, which comes later in window order than everything in <paramref name="max"/>: taken
        /// where valid and strictly greater, NaN over a number (<c>!(v ≤ max)</c> is greater-or-NaN; a NaN maximum stays).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void TakeLater(Vector512<float> v, Vector512<int> index, Vector512<float> valid, ref Vector512<float> max, ref Vector512<int> best)
        {
            Vector512<float> take = valid & Avx512F.CompareNotLessThanOrEqual(v, max) & Avx512F.CompareOrdered(max, max);
            max = Vector512.ConditionalSelect(take, v, max);
            best = Vector512.ConditionalSelect(take.AsInt32(), index, best);
        }

        /// <summary>
        /// Folds in <paramref name="v"/>, which comes earlier in window order than everything in <paramref name="max"/>: taken
        /// where valid unless <paramref name="max"/> is strictly greater, that is where <c>v ≥ max</c> or <c>v</c> is NaN.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void TakeEarlier(Vector512<float> v, Vector512<int> index, Vector512<float> valid, ref Vector512<float> max, ref Vector512<int> best)
        {
            Vector512<float> take = valid & (Vector512.GreaterThanOrEqual(v, max) | Avx512F.CompareUnordered(v, v));
            max = Vector512.ConditionalSelect(take, v, max);
            best = Vector512.ConditionalSelect(take.AsInt32(), index, best);
        }
    }
}
