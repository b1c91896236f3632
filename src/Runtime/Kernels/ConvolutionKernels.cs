using System.Numerics;
using System.Numerics.Tensors;

namespace Relucent.Kernels
{
    /// <summary>
    /// 2-D convolution as PyTorch's <c>nn.Conv2d</c> computes it (cross-correlation, square kernel, zero padding),
    /// on one NCHW example. The weight is <c>[filters, channels·k·k]</c> column-major (a MathNet <c>Matrix</c>),
    /// so the weights of one tap <c>(c, ky, kx)</c> across all filters are contiguous.
    /// </summary>
    public static class ConvolutionKernels
    {
        /// <summary><c>y[f, oy, ox] = b[f] + Σ_{c,ky,kx} W[f, c, ky, kx] · x[c, oy·s − p + ky, ox·s − p + kx]</c>.</summary>
        public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(y, g.OutputSize, nameof(y));
            int plane = g.OutputHeight * g.OutputWidth;
            if (bias.IsEmpty) y.Clear();
            else
            {
                Check.Length(bias, g.Filters, nameof(bias));
                for (int f = 0; f < g.Filters; f++) y.Slice(f * plane, plane).Fill(bias[f]);
            }

            // One output row of one filter at a time, accumulating each tap: the inner loop runs over
            // output columns, contiguous in y and (for stride 1) in x.
            int k = g.Kernel;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++)
                    {
                        int tap = (c * k + ky) * k + kx;
                        ReadOnlySpan<T> tapWeights = weight.Slice(tap * g.Filters, g.Filters);
                        for (int oy = 0; oy < g.OutputHeight; oy++)
                        {
                            int iy = oy * g.Stride - g.Padding + ky;
                            if ((uint)iy >= (uint)g.Height) continue;
                            ReadOnlySpan<T> row = x.Slice((c * g.Height + iy) * g.Width, g.Width);
                            g.ColumnRange(kx, out int first, out int last);
                            for (int f = 0; f < g.Filters; f++)
                            {
                                T w = tapWeights[f];
                                Span<T> outRow = y.Slice(f * plane + oy * g.OutputWidth, g.OutputWidth);
                                for (int ox = first; ox < last; ox++)
                                {
                                    outRow[ox] += w * row[ox * g.Stride - g.Padding + kx];
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>The input gradient: <c>dx[c, iy, ix] = Σ W[f, c, ky, kx] · dy[f, oy, ox]</c> over every use of <c>x[c, iy, ix]</c>.</summary>
        public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(dx, g.InputSize, nameof(dx));
            dx.Clear();
            int plane = g.OutputHeight * g.OutputWidth;
            int k = g.Kernel;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++)
                    {
                        int tap = (c * k + ky) * k + kx;
                        ReadOnlySpan<T> tapWeights = weight.Slice(tap * g.Filters, g.Filters);
                        for (int oy = 0; oy < g.OutputHeight; oy++)
                        {
                            int iy = oy * g.Stride - g.Padding + ky;
                            if ((uint)iy >= (uint)g.Height) continue;
                            Span<T> row = dx.Slice((c * g.Height + iy) * g.Width, g.Width);
                            g.ColumnRange(kx, out int first, out int last);
                            for (int f = 0; f < g.Filters; f++)
                            {
                                T w = tapWeights[f];
                                ReadOnlySpan<T> gradRow = dy.Slice(f * plane + oy * g.OutputWidth, g.OutputWidth);
                                for (int ox = first; ox < last; ox++)
                                {
                                    row[ox * g.Stride - g.Padding + kx] += w * gradRow[ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
