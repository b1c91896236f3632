using Relucent.Kernels;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The strided and first-layer convolutions' thread-static switches (<see cref="ConvolutionKernels"/>,
    /// <see cref="ConvolutionByTaps"/>) set for a scope on this thread and restored after it, as <see cref="TileSwitches"/> does
    /// for the tiles': the old forms (<paramref name="old"/>), or the new ones with bands cut to a few hundred bytes, so small
    /// layers run in several bands and chunks.
    /// </summary>
    internal readonly struct StridedSwitches : IDisposable
    {
        private readonly bool _phased, _summed, _unbanded, _unbandedByTaps;
        private readonly long _bandBytes;

        public StridedSwitches(bool old)
        {
            (_phased, _summed, _unbanded, _unbandedByTaps, _bandBytes) =
                (ConvolutionKernels.t_phased, ConvolutionByTaps.t_summed, ConvolutionKernels.t_unbanded, ConvolutionByTaps.t_unbanded, ConvolutionKernels.t_bandBytes);
            (ConvolutionKernels.t_phased, ConvolutionByTaps.t_summed, ConvolutionKernels.t_unbanded, ConvolutionByTaps.t_unbanded, ConvolutionKernels.t_bandBytes) =
                (old, old, old, old, old ? 0 : 256);
        }

        public void Dispose() =>
            (ConvolutionKernels.t_phased, ConvolutionByTaps.t_summed, ConvolutionKernels.t_unbanded, ConvolutionByTaps.t_unbanded, ConvolutionKernels.t_bandBytes) =
                (_phased, _summed, _unbanded, _unbandedByTaps, _bandBytes);
    }
}
