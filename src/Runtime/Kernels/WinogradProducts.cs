using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// The batch of products at the heart of every Winograd convolution (<see cref="Winograd"/>, <see cref="Winograd4"/>):
    /// <c>M_ξ = U_ξ · V_ξ</c> for each of the transform's planes ξ, summed over the input channels, on the register tiles of
    /// <see cref="Tiles"/> and shared among threads as one job.
    /// </summary>
    internal static unsafe class WinogradProducts
    {
        /// <summary>
        /// <c>M_ξ[o][block] = Σ_i U_ξ[o, i] · V_ξ[i][block]</c> for ξ &lt; <paramref name="planes"/>. <c>U</c> holds one plane per
        /// ξ, <paramref name="uStride"/> apart, of the layer's <c>channels × filters</c> pairs (filters contiguous): forward, the
        /// rows <c>o</c> are filters and the sum runs over channels; <paramref name="flip"/>ped (the input gradient), the rows are
        /// channels and the sum runs over filters. <c>V</c> holds each input channel's blocks <paramref name="channelStride"/>
        /// apart, and each output row of <c>M</c> is <paramref name="blocks"/> long (whole vectors). <paramref name="panels"/>: the
        /// same planes in row-tile panels of this direction's rows (<see cref="Winograd.Prepare"/>, see
        /// <see cref="Tiles.MultiplyPanels"/>), read instead of <c>U</c> in place, or null.
        /// </summary>
        public static void Multiply(int planes, float* u, int uStride, float* panels, int filters, bool flip, float* v, int vStride, int channelStride, int inChannels,
            float* m, int mStride, int outChannels, int blocks)
        {
            int* bOff = Scratch<int>.Second(inChannels);
            for (int c = 0; c < inChannels; c++) bOff[c] = c * channelStride;
            if (panels != null)
            {
                // Each row tile's values tap after tap: one stream (see Winograd.Prepare).
                Tiles.MultiplyPanels<float, Vector512<float>, Simd512<float>>(planes, panels, (nint)Winograd.PanelPlane(outChannels, inChannels), outChannels, v, vStride, bOff, inChannels, blocks / 16, m, mStride, blocks, default);
                return;
            }
            int* aOff = Scratch<int>.First(inChannels);
            nint aRow;
            if (!flip)
            {
                // Rows are filters, the sum runs over channels: A[f, c] = U[c·F + f].
                for (int c = 0; c < inChannels; c++) aOff[c] = c * filters;
                aRow = 1;
            }
            else
            {
                // Rows are channels, the sum runs over filters: A[c, f] = U[c·F + f].
                for (int f = 0; f < inChannels; f++) aOff[f] = f;
                aRow = filters;
            }
            Tiles.Multiply<float, Vector512<float>, Simd512<float>>(planes, u, uStride, aOff, aRow, outChannels, v, vStride, bOff, inChannels, blocks / 16, m, mStride, blocks, default);
        }
    }
}
