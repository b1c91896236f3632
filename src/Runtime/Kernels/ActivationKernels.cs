using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>Element-wise activations and their true gradients; ReLU's backward is in <see cref="ReluRules"/>.</summary>
    public static class ActivationKernels
    {
        /// <summary><c>z = max(x, 0)</c>: max(−0, 0) = +0 and a NaN stays NaN.</summary>
        /// <remarks>
        /// Written with the kernels' own vector maximum rather than <c>TensorPrimitives.Max</c>, so that the ReLU a dense or
        /// convolution kernel applies as it stores (<c>relu: true</c>) is this very operation, bit for bit.
        /// </remarks>
        public static void Relu<T>(ReadOnlySpan<T> x, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> => Rectify(x, z, Rectifier.Relu);

        /// <summary><c>z = min(max(x, 0), 6)</c>: max(−0, 0) = +0 and a NaN stays NaN.</summary>
        /// <remarks>The kernels' own vector minimum and maximum, so ReLU6 applied as a kernel stores (<see cref="Rectifier.Relu6"/>)
        /// is this very operation, bit for bit.</remarks>
        public static void Relu6<T>(ReadOnlySpan<T> x, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> => Rectify(x, z, Rectifier.Relu6);

        private static unsafe void Rectify<T>(ReadOnlySpan<T> x, Span<T> z, Rectifier rectifier) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(z, x.Length, nameof(z));
            fixed (T* px = x, pz = z)
            {
                // The path is chosen here, on the calling thread, and every range runs it (a helper's own setting never applies).
                delegate*<void*, int, int, void> range =
                    SimdWidth.Use512 ? &RectifyRange<T, Vector512<T>, Simd512<T>>
                    : SimdWidth.Use256 ? &RectifyRange<T, Vector256<T>, Simd256<T>>
                    : SimdWidth.Use128 ? &RectifyRange<T, Vector128<T>, Simd128<T>>
                    : &RectifyRange<T, T, SimdScalar<T>>;
                var operands = new PassRanges.Operands<T> { A = px, Y = pz, Setting = (int)rectifier };
                PassRanges.Run(x.Length, PassRanges.Threads(z, x), range, &operands);
            }
        }

        private static unsafe void RectifyRange<T, TV, S>(void* context, int first, int end)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref PassRanges.Operands<T> o = ref System.Runtime.CompilerServices.Unsafe.AsRef<PassRanges.Operands<T>>(context);
            Rows.Rectify<T, TV, S>(o.A + first, o.Y + first, end - first, (Rectifier)o.Setting);
        }

        /// <summary><c>z = tanh(x)</c>.</summary>
        public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(z, x.Length, nameof(z));
            // Element by element through the runtime's tanh (as PyTorch's is: odd, tanh(±0) = ±0, a few ulp relative
            // near zero). TensorPrimitives.Tanh is faster but has an absolute error of about one ulp of 1: tanh(+0) < 0
            // in float and a large relative error on small activations.
            for (int i = 0; i < x.Length; i++) z[i] = T.Tanh(x[i]);
        }

        /// <summary><c>z = 1 / (1 + e^-x)</c>.</summary>
        public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(z, x.Length, nameof(z));
            TensorPrimitives.Sigmoid(x, z);
        }

        /// <summary><c>dx = (1 − z²) · dy</c>, from the forward output <c>z = tanh(x)</c>.</summary>
        public static void TanhBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, z.Length, nameof(dy));
            Check.Length(dx, z.Length, nameof(dx));
            for (int i = 0; i < z.Length; i++) dx[i] = (T.One - z[i] * z[i]) * dy[i];
        }

        /// <summary><c>dx = z · (1 − z) · dy</c>, from the forward output <c>z = σ(x)</c>.</summary>
        public static void SigmoidBackward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, z.Length, nameof(dy));
            Check.Length(dx, z.Length, nameof(dx));
            for (int i = 0; i < z.Length; i++) dx[i] = z[i] * (T.One - z[i]) * dy[i];
        }

        /// <summary><c>s = e^(x − max x) / Σ e^(x − max x)</c>.</summary>
        public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> s) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(s, x.Length, nameof(s));
            // TensorPrimitives.SoftMax does not shift by the maximum, so large logits would overflow to NaN.
            T max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, s);
            TensorPrimitives.Exp(s, s);
            TensorPrimitives.Divide(s, TensorPrimitives.Sum<T>(s), s);
        }

        /// <summary>The softmax Jacobian product <c>dx = s ⊙ (dy − (s·dy))</c>.</summary>
        public static void SoftmaxBackward<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, s.Length, nameof(dy));
            Check.Length(dx, s.Length, nameof(dx));
            T dot = TensorPrimitives.Dot(s, dy);
            for (int i = 0; i < s.Length; i++) dx[i] = s[i] * (dy[i] - dot);
        }
    }
}
