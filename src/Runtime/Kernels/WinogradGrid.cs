namespace Relucent.Kernels
{
    /// <summary>
    /// How a Winograd driver lays an <c>oh × ow</c> output out in blocks of <c>m × m</c> (F(2×2, 3×3): m = 2; F(4×4, 3×3):
    /// m = 4) and sizes its per-channel buffers: the same rule for <see cref="Winograd"/> and <see cref="Winograd4"/>.
    /// </summary>
    internal readonly struct WinogradGrid
    {
        public WinogradGrid(int block, int oh, int ow)
        {
            TH = (oh + block - 1) / block;
            TW = (ow + block - 1) / block;
            TilesPadded = (TH * TW + 15) & ~15;
            HS = block * TH + 2;
            WS = block * TW + 2;
            // Staged planes and transformed channels a spare cache line apart: a thread's whole-vector writes past the end of
            // its last channel land there, never on another thread's channel.
            Plane = HS * WS + 16;
            ChannelStride = TilesPadded + 16;
        }

        /// <summary>Blocks down and across the output.</summary>
        public int TH { get; }

        /// <summary>Blocks across the output.</summary>
        public int TW { get; }

        /// <summary>Blocks in all, padded to a whole number of 16-lane vectors (the products' columns).</summary>
        public int TilesPadded { get; }

        /// <summary>Rows of a staged input plane: the blocks' reach plus the 3×3 kernel's border of 2.</summary>
        public int HS { get; }

        /// <summary>Columns of a staged input plane.</summary>
        public int WS { get; }

        /// <summary>Floats between staged input planes.</summary>
        public int Plane { get; }

        /// <summary>Floats between transformed channels of one plane ξ.</summary>
        public int ChannelStride { get; }
    }
}
