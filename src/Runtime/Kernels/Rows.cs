using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>Short element-wise loops over raw rows, in whole vectors plus one masked vector for the tail.</summary>
    internal static unsafe class Rows
    {
        /// <summary>
        /// <c>target[i] = source[i] + value</c> for <c>i &lt; count</c>, then <c>max(·, 0)</c> when <paramref name="relu"/>
        /// is set (a following ReLU applied as the values are stored, instead of in a pass of its own).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddScalar<T, TV, S>(T* source, T value, T* target, int count, bool relu = false)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            TV add = S.Broadcast(value);
            int vl = S.Count, i = 0;
            if (relu)
            {
                for (; i + vl <= count; i += vl) S.Store(target + i, S.Relu(S.Add(S.Load(source + i), add)));
                if (i < count) S.StoreFirst(target + i, S.Relu(S.Add(S.LoadFirst(source + i, count - i), add)), count - i);
            }
            else
            {
                for (; i + vl <= count; i += vl) S.Store(target + i, S.Add(S.Load(source + i), add));
                if (i < count) S.StoreFirst(target + i, S.Add(S.LoadFirst(source + i, count - i), add), count - i);
            }
        }

        /// <summary><c>target[i] = max(source[i], 0)</c> for <c>i &lt; count</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Relu<T, TV, S>(T* source, T* target, int count)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(target + i, S.Relu(S.Load(source + i)));
            if (i < count) S.StoreFirst(target + i, S.Relu(S.LoadFirst(source + i, count - i)), count - i);
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
