namespace Relucent.Kernels
{
    /// <summary>
    /// The sizes of a convolution's input staged in stride phases: the padded input (<c>Hp × Wp</c>) split into <c>s × s</c>
    /// planes of <c>⌈Hp/s⌉ × ⌈Wp/s⌉</c>, phase <c>(py, px)</c> holding the padded values at rows <c>py + s·i</c> and columns
    /// <c>px + s·j</c>. Tap <c>(ky, kx)</c> of output <c>(oy, ox)</c> is then phase <c>(ky mod s, kx mod s)</c> at
    /// <c>(oy + ⌊ky/s⌋, ox + ⌊kx/s⌋)</c>: a stride-s convolution becomes a stride-1 one over the phases, with no im2col matrix and
    /// no zero taps. At stride 1 there is one phase, the padded input.
    /// </summary>
    internal readonly struct Phases
    {
        private Phases(int height, int width)
        {
            Height = height;
            Width = width;
        }

        /// <summary>Rows of one phase plane, <c>⌈Hp/s⌉</c>.</summary>
        public int Height { get; }

        /// <summary>Columns of one phase plane, <c>⌈Wp/s⌉</c>: the row stride of the staged input and of the product's positions.</summary>
        public int Width { get; }

        /// <summary>Values of one phase plane.</summary>
        public int Plane => Height * Width;

        /// <summary>The phases of <paramref name="g"/>'s padded input.</summary>
        public static Phases Of(in ConvolutionGeometry g)
        {
            int s = g.Stride;
            int hp = g.Height + g.PadTop + g.PadBottom, wp = g.Width + g.PadLeft + g.PadRight;
            return new Phases((hp + s - 1) / s, (wp + s - 1) / s);
        }
    }
}
