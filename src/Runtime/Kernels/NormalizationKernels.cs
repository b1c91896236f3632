using System.Numerics;
using System.Numerics.Tensors;

namespace Relucent.Kernels
{
    /// <summary>
    /// Batch normalisation in eval mode, folded once at load into a per-channel affine map
    /// <c>y = scale·x + shift</c> (as PyTorch's CPU inference kernel folds it).
    /// </summary>
    public static class NormalizationKernels
    {
        /// <summary><c>scale = γ / √(var + eps)</c>, <c>shift = β − mean·scale</c>.</summary>
        public static void Fold<T>(ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, double eps, Span<T> scale, Span<T> shift)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int channels = Statistics(gamma, beta, mean, variance);
            Check.Length<T>(scale, channels, nameof(scale));
            Check.Length<T>(shift, channels, nameof(shift));
            T epsilon = T.CreateChecked(eps);
            for (int c = 0; c < channels; c++)
            {
                T invStd = T.One / T.Sqrt(variance[c] + epsilon);
                scale[c] = gamma[c] * invStd;
                shift[c] = beta[c] - mean[c] * scale[c];
            }
        }

        /// <summary>
        /// A convolution's or dense layer's <paramref name="weight"/> (column-major <c>[outputs, inputs]</c>, as the kernels hold it)
        /// and <paramref name="bias"/> (empty: none) with the BatchNorm after it merged in, as Zennit's canonizer merges them
        /// (<c>canonizers.py:117-150</c>) and in its order of operations: <c>s = γ / √(var + eps)</c>, <c>W' = W·s</c> per output,
        /// <c>b' = (b − mean)·s + β</c>. The layer then computes the BatchNorm's output in its own kernel.
        /// </summary>
        public static void Merge<T>(ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, ReadOnlySpan<T> mean,
            ReadOnlySpan<T> variance, double eps, Span<T> mergedWeight, Span<T> mergedBias)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int outputs = Statistics(gamma, beta, mean, variance);
            Check.Length<T>(mergedBias, outputs, nameof(mergedBias));
            Check.Length<T>(mergedWeight, weight.Length, nameof(mergedWeight));
            if (!bias.IsEmpty) Check.Length(bias, outputs, nameof(bias));
            if (outputs == 0 || weight.Length % outputs != 0)
            {
                throw new ArgumentException($"A weight of {weight.Length} values cannot have the BatchNorm's {outputs} channels as its outputs.", nameof(weight));
            }
            T e = T.CreateChecked(eps);
            for (int o = 0; o < outputs; o++)
            {
                T scale = gamma[o] / T.Sqrt(variance[o] + e);
                mergedBias[o] = ((bias.IsEmpty ? T.Zero : bias[o]) - mean[o]) * scale + beta[o];
                for (int k = o; k < weight.Length; k += outputs) mergedWeight[k] = weight[k] * scale;
            }
        }

        /// <summary><c>y[c, ·] = scale[c] · x[c, ·] + shift[c]</c> over planes of <paramref name="plane"/> values.</summary>
        public static void BatchNorm<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, Span<T> y, int plane)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(x, (long)scale.Length * plane, nameof(x));
            Check.Length<T>(y, x.Length, nameof(y));
            for (int c = 0; c < scale.Length; c++)
            {
                Span<T> yPlane = y.Slice(c * plane, plane);
                TensorPrimitives.Multiply(x.Slice(c * plane, plane), scale[c], yPlane);
                TensorPrimitives.Add(yPlane, shift[c], yPlane);
            }
        }

        /// <summary><c>dx[c, ·] = scale[c] · dy[c, ·]</c>.</summary>
        public static void BatchNormBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> scale, Span<T> dx, int plane)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, (long)scale.Length * plane, nameof(dy));
            Check.Length<T>(dx, dy.Length, nameof(dx));
            for (int c = 0; c < scale.Length; c++)
            {
                TensorPrimitives.Multiply(dy.Slice(c * plane, plane), scale[c], dx.Slice(c * plane, plane));
            }
        }

        // The channel count of a BatchNorm's four parameter vectors, checked to be the same for each.
        private static int Statistics<T>(ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance)
        {
            Check.Length(beta, gamma.Length, nameof(beta));
            Check.Length(mean, gamma.Length, nameof(mean));
            Check.Length(variance, gamma.Length, nameof(variance));
            return gamma.Length;
        }
    }
}
