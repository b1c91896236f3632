using System.Numerics;
using System.Numerics.Tensors;

namespace Relucent.Kernels
{
    /// <summary>
    /// The fully connected layer <c>y = W·x + b</c>. <c>W</c> is <c>[outputs, inputs]</c> stored column-major,
    /// as a MathNet <c>Matrix</c> stores it, so column <c>i</c> (the weights leaving input <c>i</c>) is contiguous:
    /// the forward pass adds scaled columns and the backward pass takes one dot product per input.
    /// </summary>
    public static class DenseKernels
    {
        /// <summary><c>y = W·x + b</c>; <paramref name="bias"/> may be empty for no bias.</summary>
        public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, int inputs, int outputs)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(x, inputs, nameof(x));
            Check.Length(weight, inputs * outputs, nameof(weight));
            Check.Length(y, outputs, nameof(y));
            if (bias.IsEmpty) y.Clear();
            else
            {
                Check.Length(bias, outputs, nameof(bias));
                bias.CopyTo(y);
            }
            for (int i = 0; i < inputs; i++)
            {
                T xi = x[i];
                if (xi == T.Zero) continue;
                TensorPrimitives.MultiplyAdd(weight.Slice(i * outputs, outputs), xi, y, y);
            }
        }

        /// <summary>The input gradient <c>dx = Wᵀ·dy</c>.</summary>
        public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, int inputs, int outputs)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, outputs, nameof(dy));
            Check.Length(weight, inputs * outputs, nameof(weight));
            Check.Length(dx, inputs, nameof(dx));
            for (int i = 0; i < inputs; i++)
            {
                dx[i] = TensorPrimitives.Dot(weight.Slice(i * outputs, outputs), dy);
            }
        }
    }
}
