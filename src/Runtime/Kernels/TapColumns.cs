using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// A strided convolution's input staged so the product's positions are the output's, with no column to drop: one plane
    /// per channel <c>c</c>, row phase <c>py &lt; min(s, k)</c> and column tap <c>kx</c>, of <c>oh + ⌊(k−1)/s⌋</c> rows ×
    /// <c>ow</c> columns, holding the padded input at row <c>r·s + py</c>, column <c>ox·s + kx</c> (zero in the padding). Tap
    /// <c>(c, ky, kx)</c> of output <c>(oy, ox)</c> is then plane <c>(c, ky mod s, kx)</c> at row <c>oy + ⌊ky/s⌋</c>: output
    /// position <c>q = oy·ow + ox</c> reads a contiguous run in <c>q</c>, as over the <see cref="Phases"/>, and the tap reads
    /// the same value, so the sums are the same bits.
    /// </summary>
    /// <remarks>
    /// The s × s <see cref="Phases"/> keep rows <c>⌈Wp/s⌉</c> wide, so the product has that many columns per output row and
    /// the surplus is dropped in a pass over it. Here the tiles store straight into y through the epilogue. Where the kernel is
    /// no wider than the stride (ResNet's 1×1 stride 2) these planes are the phases a tap reads, trimmed to <c>ow</c>: a quarter
    /// of the input for 1×1 stride 2, where the phases stage (and clear) all of it. Wider kernels would stage <c>k/s</c> times
    /// the columns, and the tiles stream as many more cache lines (taps <c>kx</c> and <c>kx + s</c> no longer share a phase's
    /// lines): ResNet's 7×7 and 3×3 stride-2 layers ran 2–8 % slower so, and keep the phases.
    /// </remarks>
    internal readonly struct TapColumns
    {
        private TapColumns(int rowPhases, int kernel, int stride, int height, int width)
        {
            RowPhases = rowPhases;
            Kernel = kernel;
            Stride = stride;
            Height = height;
            Width = width;
        }

        /// <summary>Row phases staged, <c>min(s, k)</c>: a phase no tap reads (kernel smaller than the stride) is left out.</summary>
        public int RowPhases { get; }

        public int Kernel { get; }

        public int Stride { get; }

        /// <summary>Rows of one plane, <c>oh + ⌊(k−1)/s⌋</c>: the last a tap reads.</summary>
        public int Height { get; }

        /// <summary>Columns of one plane, <c>ow</c>: the row stride of the staged input and of the product's positions.</summary>
        public int Width { get; }

        /// <summary>Values of one plane.</summary>
        public int Plane => Height * Width;

        /// <summary>Values staged per channel.</summary>
        public long PerChannel => (long)RowPhases * Kernel * Plane;

        public static TapColumns Of(in ConvolutionGeometry g) =>
            new(Math.Min(g.Stride, g.Kernel), g.Kernel, g.Stride, g.OutputHeight + (g.Kernel - 1) / g.Stride, g.OutputWidth);

        /// <summary>Where tap <c>(c, ky, kx)</c>'s run for output position 0 starts.</summary>
        public long Offset(int c, int ky, int kx) => ((long)(c * RowPhases + ky % Stride) * Kernel + kx) * Plane + (long)(ky / Stride) * Width;

        /// <summary>
        /// Stages <paramref name="channels"/> planes of the geometry's input at <paramref name="x"/> into <paramref name="b"/>
        /// (<see cref="PerChannel"/> values each, nothing written past them, so threads may stage neighbouring ranges of channels).
        /// Each input row is split into its column phases once, in this thread's scratch, and each plane's row copied out of them.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe void Stage<T, TV, S>(T* x, int channels, in ConvolutionGeometry g, T* b)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int s = Stride, k = Kernel, rows = Height, width = Width, plane = Plane;
            int height = g.Height, inputWidth = g.Width, pt = g.PadTop, pl = g.PadLeft;
            // One padded input row in its s column phases, zero in the padding (Split writes only the input's columns).
            int phaseWidth = (inputWidth + pl + g.PadRight + s - 1) / s;
            T* split = Scratch<T>.Third((long)s * phaseWidth);
            new Span<T>(split, s * phaseWidth).Clear();
            for (int c = 0; c < channels; c++)
            {
                for (int py = 0; py < RowPhases; py++)
                {
                    T* planes = b + (long)(c * RowPhases + py) * k * plane; // plane (c, py, 0)
                    for (int r = 0; r < rows; r++)
                    {
                        int iy = r * s + py - pt;
                        if ((uint)iy >= (uint)height)
                        {
                            for (int kx = 0; kx < k; kx++) new Span<T>(planes + kx * plane + r * width, width).Clear();
                            continue;
                        }
                        PhaseRows.Split(x + ((long)c * height + iy) * inputWidth, inputWidth, pl, s, split, phaseWidth);
                        for (int kx = 0; kx < k; kx++)
                        {
                            Rows.CopyPaddedExact<T, TV, S>(split + kx % s * phaseWidth + kx / s, width, planes + kx * plane + r * width, width);
                        }
                    }
                }
            }
        }
    }
}
