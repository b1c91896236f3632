using System.Numerics;

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
            Check.Length(x, inputs, nameof(x));
            Check.Length(dy, outputs, nameof(dy));
            Check.Length<T>(weightGradient, inputs * outputs, nameof(weightGradient));
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
        public static void Convolution<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> weightGradient, Span<T> biasGradient, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length<T>(weightGradient, g.WeightSize, nameof(weightGradient));
            int plane = g.OutputHeight * g.OutputWidth, k = g.Kernel;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++)
                    {
                        int tap = (c * k + ky) * k + kx;
                        g.ColumnRange(kx, out int first, out int last);
                        for (int f = 0; f < g.Filters; f++)
                        {
                            T sum = T.Zero;
                            for (int oy = 0; oy < g.OutputHeight; oy++)
                            {
                                int iy = oy * g.Stride - g.Padding + ky;
                                if ((uint)iy >= (uint)g.Height) continue;
                                ReadOnlySpan<T> row = x.Slice((c * g.Height + iy) * g.Width, g.Width);
                                ReadOnlySpan<T> gradRow = dy.Slice(f * plane + oy * g.OutputWidth, g.OutputWidth);
                                for (int ox = first; ox < last; ox++) sum += gradRow[ox] * row[ox * g.Stride - g.Padding + kx];
                            }
                            weightGradient[tap * g.Filters + f] += sum;
                        }
                    }
                }
            }
            if (biasGradient.IsEmpty) return;
            Check.Length<T>(biasGradient, g.Filters, nameof(biasGradient));
            for (int f = 0; f < g.Filters; f++)
            {
                T sum = T.Zero;
                foreach (T v in dy.Slice(f * plane, plane)) sum += v;
                biasGradient[f] += sum;
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
            Check.Length(x, channels * plane, nameof(x));
            Check.Length(dy, channels * plane, nameof(dy));
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
