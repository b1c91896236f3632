using Relucent.Kernels;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The element-wise passes' thread-static switches (<see cref="PassRanges"/>) set for a scope on this thread and restored
    /// after it, as <see cref="TileSwitches"/> does for the tiles': passes always serial (<paramref name="serial"/>), or
    /// split from <paramref name="minimumElements"/> elements on (1: every pass long enough for two ranges).
    /// </summary>
    internal readonly struct PassSwitches : IDisposable
    {
        private readonly bool _serial;
        private readonly int _minimumElements;

        public PassSwitches(bool serial = false, int minimumElements = 0)
        {
            (_serial, _minimumElements) = (PassRanges.t_serialPasses, PassRanges.t_minimumElements);
            (PassRanges.t_serialPasses, PassRanges.t_minimumElements) = (serial, minimumElements);
        }

        public void Dispose() => (PassRanges.t_serialPasses, PassRanges.t_minimumElements) = (_serial, _minimumElements);
    }
}
