using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// The explicit im2col matrix of a convolution's input, for the geometries the implicit one (a stride-1 view of the
    /// padded input) cannot serve: strides above 1, and the weight gradient of layers with few channels.
    /// </summary>
    internal static unsafe class Im2Col
    {
        /// <summary>
        /// Row <c>t</c> (<paramref name="ld"/> long, <c>ld ≥ oh·ow</c>) holds tap <c>t = (c, ky, kx)</c>'s input value at
        /// each output position, zero in the padding and past the last position, for the <paramref name="channels"/> planes at
        /// <paramref name="x"/> (one group's).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Fill<T>(T* x, in ConvolutionGeometry g, int channels, T* a, int ld)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int height = g.Height, width = g.Width, k = g.Kernel, pt = g.PadTop, pl = g.PadLeft, s = g.Stride;
            int oh = g.OutputHeight, ow = g.OutputWidth;
            for (int c = 0, t = 0; c < channels; c++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++, t++)
                    {
                        T* row = a + t * ld;
                        new Span<T>(row, ld).Clear();
                        g.ColumnRange(kx, out int first, out int last);
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy * s - pt + ky;
                            if ((uint)iy >= (uint)height) continue;
                            T* source = x + (c * height + iy) * width - pl + kx;
                            T* target = row + oy * ow;
                            for (int ox = first; ox < last; ox++) target[ox] = source[ox * s];
                        }
                    }
                }
            }
        }
    }
}
