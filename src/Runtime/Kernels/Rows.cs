using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>Short element-wise loops over raw rows, in whole vectors plus one masked vector for the tail.</summary>
    internal static unsafe class Rows
    {
        /// <summary>
        /// <c>target[i] = source[i] + value</c> for <c>i &lt; count</c>, then the <paramref name="rectifier"/> (a following ReLU
        /// or ReLU6 applied as the values are stored, instead of in a pass of its own).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddScalar<T, TV, S>(T* source, T value, T* target, int count, Rectifier rectifier = Rectifier.None)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            TV add = S.Broadcast(value);
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(target + i, Rectify<T, TV, S>(S.Add(S.Load(source + i), add), rectifier));
            if (i < count) S.StoreFirst(target + i, Rectify<T, TV, S>(S.Add(S.LoadFirst(source + i, count - i), add), rectifier), count - i);
        }

        /// <summary><paramref name="v"/> through the <paramref name="rectifier"/>, lane by lane (<see cref="ActivationKernels"/>' definitions).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Rectify<T, TV, S>(TV v, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (rectifier == Rectifier.None) return v;
            v = S.Relu(v);
            return rectifier == Rectifier.Relu6 ? S.Clamp6(v) : v;
        }

        /// <summary><c>target[i] = rectifier(source[i])</c> for <c>i &lt; count</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Rectify<T, TV, S>(T* source, T* target, int count, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(target + i, Rectify<T, TV, S>(S.Load(source + i), rectifier));
            if (i < count) S.StoreFirst(target + i, Rectify<T, TV, S>(S.LoadFirst(source + i, count - i), rectifier), count - i);
        }

        /// <summary>
        /// <c>target[0..width) = source[0..count)</c> followed by zeros (<c>count ≤ width</c>), in whole vectors: up to
        /// <c>Count − 1</c> values past <c>width</c> are written too (zeros or copies), so the caller leaves room there and
        /// writes what follows afterwards. Staging rows this way costs no per-row call, unlike two short span copies.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyPadded<T, TV, S>(T* source, int count, T* target, int width)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(target + i, S.Load(source + i));
            if (i < count)
            {
                S.Store(target + i, S.LoadFirst(source + i, count - i));
                i += vl;
            }
            for (; i < width; i += vl) S.Store(target + i, S.Zero);
        }

        /// <summary><c>target[0..width) = source[0..count)</c> followed by zeros (<c>count ≤ width</c>), writing nothing past <c>width</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyPaddedExact<T, TV, S>(T* source, int count, T* target, int width)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(target + i, S.Load(source + i));
            if (i < count)
            {
                int n = Math.Min(vl, width - i);
                S.StoreFirst(target + i, S.LoadFirst(source + i, count - i), n);
                i += n;
            }
            for (; i + vl <= width; i += vl) S.Store(target + i, S.Zero);
            if (i < width) S.StoreFirst(target + i, S.Zero, width - i);
        }

        /// <summary><c>target[i] += source[i]</c> for <c>i &lt; count</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add<T, TV, S>(T* target, T* source, int count)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(target + i, S.Add(S.Load(target + i), S.Load(source + i)));
            if (i < count) S.StoreFirst(target + i, S.Add(S.LoadFirst(target + i, count - i), S.LoadFirst(source + i, count - i)), count - i);
        }
    }
}
