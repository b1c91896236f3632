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
            int channels = gamma.Length;
            Check.Length(beta, channels, nameof(beta));
            Check.Length(mean, channels, nameof(mean));
            Check.Length(variance, channels, nameof(variance));
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
    }
}
