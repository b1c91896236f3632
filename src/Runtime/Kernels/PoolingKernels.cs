using System.Numerics;

namespace Relucent.Kernels
{
    /// <summary>
    /// Max and average pooling without padding on one NCHW example, as <c>nn.MaxPool2d</c> / <c>nn.AvgPool2d</c>.
    /// Max pooling records its switches (the flat input index of each window's maximum, first one on ties, as
    /// PyTorch's CPU kernel picks) so the backward pass routes the signal exactly where autograd would.
    /// </summary>
    public static class PoolingKernels
    {
        /// <summary><c>y[c, oy, ox] = max</c> of the window; <paramref name="switches"/> receives each maximum's flat input index.</summary>
        public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> switches, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(y, g.OutputSize, nameof(y));
            Check.Length<int>(switches, g.OutputSize, nameof(switches));
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                int planeStart = c * g.Height * g.Width;
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        int best = planeStart + oy * g.Stride * g.Width + ox * g.Stride;
                        T max = x[best];
                        for (int ky = 0; ky < g.Kernel; ky++)
                        {
                            int rowStart = planeStart + (oy * g.Stride + ky) * g.Width + ox * g.Stride;
                            for (int kx = 0; kx < g.Kernel; kx++)
                            {
                                T v = x[rowStart + kx];
                                if (v > max || T.IsNaN(v) && !T.IsNaN(max))
                                {
                                    max = v;
                                    best = rowStart + kx;
                                }
                            }
                        }
                        y[o] = max;
                        switches[o] = best;
                    }
                }
            }
        }

        /// <summary>Unpooling through the switches: <c>dx[switch[o]] += dy[o]</c>, zero elsewhere.</summary>
        public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(switches, g.OutputSize, nameof(switches));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            dx.Clear();
            for (int o = 0; o < dy.Length; o++) dx[switches[o]] += dy[o];
        }

        /// <summary><c>y[c, oy, ox] = (1 / k²) Σ</c> of the window.</summary>
        public static void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(y, g.OutputSize, nameof(y));
            T scale = T.One / T.CreateChecked(g.Kernel * g.Kernel);
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                int planeStart = c * g.Height * g.Width;
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        T sum = T.Zero;
                        for (int ky = 0; ky < g.Kernel; ky++)
                        {
                            int rowStart = planeStart + (oy * g.Stride + ky) * g.Width + ox * g.Stride;
                            for (int kx = 0; kx < g.Kernel; kx++) sum += x[rowStart + kx];
                        }
                        y[o] = sum * scale;
                    }
                }
            }
        }

        /// <summary>Each window receives <c>dy / k²</c> at every position it covers.</summary>
        public static void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            dx.Clear();
            T scale = T.One / T.CreateChecked(g.Kernel * g.Kernel);
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                int planeStart = c * g.Height * g.Width;
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        T share = dy[o] * scale;
                        for (int ky = 0; ky < g.Kernel; ky++)
                        {
                            int rowStart = planeStart + (oy * g.Stride + ky) * g.Width + ox * g.Stride;
                            for (int kx = 0; kx < g.Kernel; kx++) dx[rowStart + kx] += share;
                        }
                    }
                }
            }
        }
    }
}
