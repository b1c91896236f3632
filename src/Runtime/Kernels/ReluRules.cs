using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// The three ways a ReLU passes the signal <c>R</c> arriving at its output back to its input: the only place
    /// where Saliency, DeconvNet and GuidedBackprop differ. <c>z</c> is the ReLU's forward output, so
    /// <c>z &gt; 0</c> is exactly its forward mask.
    /// </summary>
    /// <remarks>Vectorised as compare-and-select, lane for lane the same as the scalar definitions (a NaN compares false); a
    /// large pass is shared among the kernel threads in ranges (<see cref="PassRanges"/>), each element computed the same.</remarks>
    public static unsafe class ReluRules
    {
        /// <summary>Saliency, the true gradient: <c>R_in = 1[z &gt; 0] · R</c>.</summary>
        public static void Saliency<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            Pass<T, SaliencyRule>(z, r, rIn);
        }

        /// <summary>DeconvNet: <c>R_in = max(R, 0)</c>; the forward mask is not used.</summary>
        public static void DeconvNet<T>(ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(rIn, r.Length, nameof(rIn));
            Pass<T, DeconvNetRule>(r, r, rIn);
        }

        /// <summary>GuidedBackprop, both masks: <c>R_in = 1[z &gt; 0] · max(R, 0)</c>.</summary>
        public static void GuidedBackprop<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            Pass<T, GuidedBackpropRule>(z, r, rIn);
        }

        /// <summary>
        /// The rule <typeparamref name="TRule"/> chosen at compile time: generated backward passes are written once for
        /// every rule and name the rule as a type argument, so each rule's pass is compiled with its rule inlined.
        /// </summary>
        public static void Apply<T, TRule>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            Pass<T, TRule>(z, r, rIn);
        }

        /// <summary>
        /// <see cref="Select{T, M}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> over a whole pass, shared among the kernel threads when it is large enough
        /// (<see cref="PassRanges"/>); the rule pass of every rectifier (<see cref="Relu6Rule"/> calls it too).
        /// </summary>
        internal static void Pass<T, M>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T> where M : struct, IReluRule
        {
            int threads = PassRanges.Threads(rIn, z, r);
            if (threads == 1)
            {
                Select<T, M>(z, r, rIn);
                return;
            }
            fixed (T* pz = z, pr = r, pIn = rIn)
            {
                // The SIMD width is read here, on the calling thread, and every range runs it (a helper's own setting never applies).
                var operands = new PassRanges.Operands<T> { A = pz, B = pr, Y = pIn, Setting = PassRanges.Width };
                PassRanges.Run(z.Length, threads, &SelectRange<T, M>, &operands);
            }
        }

        private static void SelectRange<T, M>(void* context, int first, int end) where T : unmanaged, IFloatingPointIeee754<T> where M : struct, IReluRule
        {
            ref PassRanges.Operands<T> o = ref System.Runtime.CompilerServices.Unsafe.AsRef<PassRanges.Operands<T>>(context);
            Select<T, M>(new ReadOnlySpan<T>(o.A + first, end - first), new ReadOnlySpan<T>(o.B + first, end - first), new Span<T>(o.Y + first, end - first), o.Setting);
        }

        /// <summary>
        /// <c>rIn[i] = M(z[i], r[i]) ? r[i] : 0</c>, whole vectors then one vector overlapping the end, then scalars: the one
        /// vectorised compare-and-select of every rectifier's rules (<see cref="Relu6Rules"/> and the fused kernels use it too).
        /// </summary>
        internal static void Select<T, M>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T> where M : struct, IReluRule =>
            Select<T, M>(z, r, rIn, PassRanges.Width);

        /// <summary><see cref="Select{T, M}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/> on the path of the given <paramref name="width"/> (512, 256, 128 or 1).</summary>
        private static void Select<T, M>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn, int width) where T : unmanaged, IFloatingPointIeee754<T> where M : struct, IReluRule
        {
            int n = z.Length, i = 0;
            ref T zr = ref MemoryMarshal.GetReference(z);
            ref T rr = ref MemoryMarshal.GetReference(r);
            ref T outr = ref MemoryMarshal.GetReference(rIn);
            // Element-wise and idempotent per element, so the last vector may overlap the previous one (when rIn does not
            // alias z or r; when it does, the overlap would re-read an output, so the tail falls to scalars).
            bool overlapSafe = !z.Overlaps(rIn) && !r.Overlaps(rIn);
            if (width >= 512 && n >= Vector512<T>.Count)
            {
                int vl = Vector512<T>.Count;
                for (; i + vl <= n; i += vl) Step512<T, M>(ref zr, ref rr, ref outr, i);
                if (i < n && overlapSafe) { Step512<T, M>(ref zr, ref rr, ref outr, n - vl); i = n; }
            }
            else if (width >= 256 && n >= Vector256<T>.Count)
            {
                int vl = Vector256<T>.Count;
                for (; i + vl <= n; i += vl)
                {
                    Vector256<T> zv = Vector256.LoadUnsafe(ref zr, (nuint)i), rv = Vector256.LoadUnsafe(ref rr, (nuint)i);
                    (rv & M.Pass(zv, rv)).StoreUnsafe(ref outr, (nuint)i);
                }
            }
            else if (width >= 128 && n >= Vector128<T>.Count)
            {
                int vl = Vector128<T>.Count;
                for (; i + vl <= n; i += vl)
                {
                    Vector128<T> zv = Vector128.LoadUnsafe(ref zr, (nuint)i), rv = Vector128.LoadUnsafe(ref rr, (nuint)i);
                    (rv & M.Pass(zv, rv)).StoreUnsafe(ref outr, (nuint)i);
                }
            }
            for (; i < n; i++) rIn[i] = M.Pass(z[i], r[i]) ? r[i] : T.Zero;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Step512<T, M>(ref T z, ref T r, ref T rIn, int i) where T : unmanaged, IFloatingPointIeee754<T> where M : struct, IReluRule
        {
            Vector512<T> zv = Vector512.LoadUnsafe(ref z, (nuint)i), rv = Vector512.LoadUnsafe(ref r, (nuint)i);
            (rv & M.Pass(zv, rv)).StoreUnsafe(ref rIn, (nuint)i);
        }
    }
}
