using System.Numerics;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// Parameter gradients for training: each kernel ADDS this example's contribution to the gradient buffers, so
    /// a mini-batch accumulates by calling it once per example. Layouts match the parameters' storage (dense and
    /// convolution weights column-major, as MathNet stores them), so an optimiser updates element by element.
    /// </summary>
    public static class GradientKernels
    {
        /// <summary>Dense: <c>∂W[o, i] += dy[o] · x[i]</c>, <c>∂b[o] += dy[o]</c>.</summary>
        public static void Dense<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> weightGradient, Span<T> biasGradient, int inputs, int outputs)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.DenseSizes(inputs, outputs);
            Check.Length(x, inputs, nameof(x));
            Check.Length(dy, outputs, nameof(dy));
            Check.Length<T>(weightGradient, (long)inputs * outputs, nameof(weightGradient));
            Check.Length<T>(biasGradient, outputs, nameof(biasGradient));
            for (int i = 0; i < inputs; i++)
            {
                T xi = x[i];
                Span<T> column = weightGradient.Slice(i * outputs, outputs);
                for (int o = 0; o < outputs; o++) column[o] += dy[o] * xi;
            }
            for (int o = 0; o < outputs; o++) biasGradient[o] += dy[o];
        }

        /// <summary>
        /// Convolution: <c>∂W[f, c, ky, kx] += Σ_{oy,ox} dy[f, oy, ox] · x[c, oy·s − p + ky, ox·s − p + kx]</c> and
        /// <c>∂b[f] += Σ dy[f, ·, ·]</c>; <paramref name="biasGradient"/> is empty for a layer without bias.
        /// </summary>
        /// <remarks>
        /// SIMD with fused multiply-adds, as the convolution kernels: a matrix product over the output positions run by
        /// the register tiles of <see cref="Tiles"/>, or, for layers with few channels, dot products along the positions
        /// (<see cref="ConvolutionWeightGradient"/>). Deterministic bit for bit (a fixed summation order for each geometry
        /// and SIMD width, on any thread); nothing is allocated per call.
        /// </remarks>
        public static unsafe void Convolution<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> weightGradient, Span<T> biasGradient, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length<T>(weightGradient, g.WeightSize, nameof(weightGradient));
            if (!biasGradient.IsEmpty) Check.Length<T>(biasGradient, g.Filters, nameof(biasGradient));
            fixed (T* px = x, pdy = dy, pw = weightGradient, pb = biasGradient)
            {
                T* pbias = biasGradient.IsEmpty ? null : pb;
                if (SimdWidth.Use512) ConvolutionWeightGradient.Add<T, Vector512<T>, Simd512<T>>(px, pdy, pw, pbias, g);
                else if (SimdWidth.Use256) ConvolutionWeightGradient.Add<T, Vector256<T>, Simd256<T>>(px, pdy, pw, pbias, g);
                else if (SimdWidth.Use128) ConvolutionWeightGradient.Add<T, Vector128<T>, Simd128<T>>(px, pdy, pw, pbias, g);
                else ConvolutionWeightGradient.Add<T, T, SimdScalar<T>>(px, pdy, pw, pbias, g);
            }
        }

        /// <summary>
        /// Batch normalisation in eval mode (running statistics held constant): <c>∂γ[c] += Σ dy · x̂</c> with
        /// <c>x̂ = (x − μ) / √(σ² + eps)</c>, and <c>∂β[c] += Σ dy</c>.
        /// </summary>
        public static void BatchNorm<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, double eps,
            Span<T> gammaGradient, Span<T> betaGradient, int plane)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int channels = mean.Length;
            Check.Length(x, (long)channels * plane, nameof(x));
            Check.Length(dy, (long)channels * plane, nameof(dy));
            T epsilon = T.CreateChecked(eps);
            for (int c = 0; c < channels; c++)
            {
                T invStd = T.One / T.Sqrt(variance[c] + epsilon);
                T gamma = T.Zero, beta = T.Zero;
                for (int j = c * plane; j < (c + 1) * plane; j++)
                {
                    gamma += dy[j] * (x[j] - mean[c]) * invStd;
                    beta += dy[j];
                }
                gammaGradient[c] += gamma;
                betaGradient[c] += beta;
            }
        }
    }
}
