using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// The few vector operations the kernels are written in, as static abstract members so one generic kernel
    /// compiles (per value type, with every call inlined) to AVX-512, AVX2, 128-bit or scalar code.
    /// <typeparamref name="TV"/> is the register type: <c>Vector512&lt;T&gt;</c>, <c>Vector256&lt;T&gt;</c>,
    /// <c>Vector128&lt;T&gt;</c> or <typeparamref name="T"/> itself.
    /// </summary>
    internal interface ISimd<T, TV> where T : unmanaged, IFloatingPointIeee754<T> where TV : struct
    {
        /// <summary>Lanes per register.</summary>
        static abstract int Count { get; }

        /// <summary>
        /// Rows of the register tile (see <see cref="Tiles"/>): 8 when the machine has 32 vector registers
        /// (AVX-512, Arm64), so an 8×3 tile of accumulators plus its operands fits; 4 with 16 registers.
        /// </summary>
        static abstract int TileRows { get; }

        static abstract TV Zero { get; }

        static abstract unsafe TV Broadcast(T* source);

        static abstract TV Broadcast(T value);

        static abstract unsafe TV Load(T* source);

        static abstract unsafe void Store(T* destination, TV value);

        /// <summary>The first <paramref name="count"/> (1 ≤ count ≤ Count) values, zero in the other lanes; memory past them is not touched.</summary>
        static abstract unsafe TV LoadFirst(T* source, int count);

        /// <summary>Stores the first <paramref name="count"/> (1 ≤ count ≤ Count) lanes; memory past them is not touched.</summary>
        static abstract unsafe void StoreFirst(T* destination, TV value, int count);

        /// <summary><c>a·b + c</c>, fused where the hardware fuses (always the same way on one machine).</summary>
        static abstract TV MultiplyAdd(TV a, TV b, TV c);

        static abstract TV Add(TV a, TV b);

        /// <summary>
        /// <c>max(v, 0)</c> lane by lane, as <see cref="ActivationKernels.Relu{T}"/> computes it (max(−0, 0) = +0, a NaN
        /// stays NaN), so a kernel that applies a following ReLU as it stores gives the same bits as the separate pass.
        /// </summary>
        static abstract TV Relu(TV v);

        /// <summary>
        /// <c>min(v, 6)</c> lane by lane, IEEE 754 minimum as <see cref="ActivationKernels.Relu6{T}"/> computes it (a NaN stays
        /// NaN), so ReLU6 applied as a kernel stores is that very operation: <c>Clamp6(Relu(v))</c>.
        /// </summary>
        static abstract TV Clamp6(TV v);

        /// <summary>The sum of the lanes, in the fixed order the runtime's horizontal sum uses.</summary>
        static abstract T Sum(TV v);
    }

    /// <summary>Which vector width the kernels run at; decided once per process by the hardware.</summary>
    internal static class SimdWidth
    {
        [ThreadStatic] private static int t_limit;
        private static bool s_limited; // set once any thread has limited its width: until then no thread-static is read

        /// <summary>
        /// Tests set this (per thread) to 512, 256 or 128 to run a narrower path than the hardware's widest, or to a
        /// value below 128 (such as 1) for the scalar path, so every path is exercised on one machine; 0, the default,
        /// means "the widest available".
        /// </summary>
        internal static int s_limit
        {
            get => t_limit;
            set
            {
                if (value != 0) Volatile.Write(ref s_limited, true);
                t_limit = value;
            }
        }

        public static bool Use512
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && (!s_limited || t_limit == 0 || t_limit >= 512);
        }

        public static bool Use256
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector256.IsHardwareAccelerated && Fma.IsSupported && (!s_limited || t_limit == 0 || t_limit >= 256);
        }

        public static bool Use128
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector128.IsHardwareAccelerated && (!s_limited || t_limit == 0 || t_limit >= 128);
        }
    }

    /// <summary>Lane-by-lane partial loads, for the element types and machines without masked moves.</summary>
    internal static unsafe class Lanes
    {
        public static Vector512<T> LoadFirst512<T>(T* source, int count) where T : unmanaged
        {
            Vector512<T> v = Vector512<T>.Zero;
            for (int i = 0; i < count; i++) v = v.WithElement(i, source[i]);
            return v;
        }

        public static Vector256<T> LoadFirst256<T>(T* source, int count) where T : unmanaged
        {
            Vector256<T> v = Vector256<T>.Zero;
            for (int i = 0; i < count; i++) v = v.WithElement(i, source[i]);
            return v;
        }

        public static Vector128<T> LoadFirst128<T>(T* source, int count) where T : unmanaged
        {
            Vector128<T> v = Vector128<T>.Zero;
            for (int i = 0; i < count; i++) v = v.WithElement(i, source[i]);
            return v;
        }
    }

    internal readonly struct Simd512<T> : ISimd<T, Vector512<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector512<T>.Count;

        public static int TileRows => 8;

        public static Vector512<T> Zero => Vector512<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector512<T> Broadcast(T* source) => Vector512.Create(*source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector512<T> Load(T* source) => Vector512.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(T* destination, Vector512<T> value) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector512<T> LoadFirst(T* source, int count)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
                return Avx512F.MaskLoad((float*)source, mask, Vector512<float>.Zero).As<float, T>();
            }
            if (typeof(T) == typeof(double))
            {
                Vector512<double> mask = Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).AsDouble();
                return Avx512F.MaskLoad((double*)source, mask, Vector512<double>.Zero).As<double, T>();
            }
            return Lanes.LoadFirst512(source, count);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void StoreFirst(T* destination, Vector512<T> value, int count)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
                Avx512F.MaskStore((float*)destination, mask, value.AsSingle());
            }
            else if (typeof(T) == typeof(double))
            {
                Vector512<double> mask = Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).AsDouble();
                Avx512F.MaskStore((double*)destination, mask, value.AsDouble());
            }
            else
            {
                for (int i = 0; i < count; i++) destination[i] = value[i];
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        {
            if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            return a * b + c;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Relu(Vector512<T> v) => Vector512.Max(v, Vector512<T>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> Clamp6(Vector512<T> v) => Vector512.Min(v, Vector512.Create(T.CreateTruncating(6)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector512<T> v) => Vector512.Sum(v);

    }

    internal readonly struct Simd256<T> : ISimd<T, Vector256<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector256<T>.Count;

        // AVX2 has 16 ymm registers (32 with AVX-512VL, but then the 512-bit path runs).
        public static int TileRows => 4;

        public static Vector256<T> Zero => Vector256<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<T> Broadcast(T* source) => Vector256.Create(*source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<T> Load(T* source) => Vector256.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(T* destination, Vector256<T> value) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<T> LoadFirst(T* source, int count)
        {
            // Only chosen when Fma.IsSupported, which implies AVX and its masked moves.
            if (typeof(T) == typeof(float))
            {
                Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
                return Avx.MaskLoad((float*)source, mask).As<float, T>();
            }
            if (typeof(T) == typeof(double))
            {
                Vector256<double> mask = Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).AsDouble();
                return Avx.MaskLoad((double*)source, mask).As<double, T>();
            }
            return Lanes.LoadFirst256(source, count);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void StoreFirst(T* destination, Vector256<T> value, int count)
        {
            if (typeof(T) == typeof(float))
            {
                Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
                Avx.MaskStore((float*)destination, mask, value.AsSingle());
            }
            else if (typeof(T) == typeof(double))
            {
                Vector256<double> mask = Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).AsDouble();
                Avx.MaskStore((double*)destination, mask, value.AsDouble());
            }
            else
            {
                for (int i = 0; i < count; i++) destination[i] = value[i];
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        {
            // Only chosen when Fma.IsSupported, so this is one instruction.
            if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            return a * b + c;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Relu(Vector256<T> v) => Vector256.Max(v, Vector256<T>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<T> Clamp6(Vector256<T> v) => Vector256.Min(v, Vector256.Create(T.CreateTruncating(6)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector256<T> v) => Vector256.Sum(v);

    }

    internal readonly struct Simd128<T> : ISimd<T, Vector128<T>> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => Vector128<T>.Count;

        public static int TileRows => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? 8 : 4;

        public static Vector128<T> Zero => Vector128<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> Broadcast(T* source) => Vector128.Create(*source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Broadcast(T value) => Vector128.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> Load(T* source) => Vector128.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(T* destination, Vector128<T> value) => value.Store(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector128<T> LoadFirst(T* source, int count)
        {
            if (Avx.IsSupported && typeof(T) == typeof(float))
            {
                Vector128<float> mask = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle();
                return Avx.MaskLoad((float*)source, mask).As<float, T>();
            }
            if (Avx.IsSupported && typeof(T) == typeof(double))
            {
                Vector128<double> mask = Vector128.LessThan(Vector128<long>.Indices, Vector128.Create((long)count)).AsDouble();
                return Avx.MaskLoad((double*)source, mask).As<double, T>();
            }
            return Lanes.LoadFirst128(source, count);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void StoreFirst(T* destination, Vector128<T> value, int count)
        {
            for (int i = 0; i < count; i++) destination[i] = value[i];
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c)
        {
            // MultiplyAddEstimate fuses exactly when the hardware has FMA (a fixed property of the machine), and
            // never falls back to the slow software-emulated fused product.
            if (typeof(T) == typeof(float)) return Vector128.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector128.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            return a * b + c;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Relu(Vector128<T> v) => Vector128.Max(v, Vector128<T>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<T> Clamp6(Vector128<T> v) => Vector128.Min(v, Vector128.Create(T.CreateTruncating(6)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(Vector128<T> v) => Vector128.Sum(v);

    }

    /// <summary>One lane: the portable fallback, plain multiply then add.</summary>
    internal readonly struct SimdScalar<T> : ISimd<T, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static int Count => 1;

        public static int TileRows => 4;

        public static T Zero => T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe T Broadcast(T* source) => *source;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Broadcast(T value) => value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe T Load(T* source) => *source;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(T* destination, T value) => *destination = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe T LoadFirst(T* source, int count) => *source;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void StoreFirst(T* destination, T value, int count) => *destination = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T MultiplyAdd(T a, T b, T c) => a * b + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Add(T a, T b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Relu(T v) => T.Max(v, T.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Clamp6(T v) => T.Min(v, T.CreateTruncating(6));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Sum(T v) => v;

    }
}
