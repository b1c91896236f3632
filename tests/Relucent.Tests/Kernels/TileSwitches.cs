using Relucent.Kernels;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The register tiles' thread-static switches (<see cref="Tiles"/>) set for a scope on this thread and restored after
    /// it, so a test that compares one path with another leaves no state behind for the next test on the thread.
    /// </summary>
    internal readonly struct TileSwitches : IDisposable
    {
        private readonly bool _unpackedA, _threeOne, _tables, _unprefetched, _alwaysBlocked;

        public TileSwitches(bool unpackedA = false, bool threeOne = false, bool tables = false, bool unprefetched = false, bool alwaysBlocked = false)
        {
            (_unpackedA, _threeOne, _tables, _unprefetched, _alwaysBlocked) = (Tiles.t_unpackedA, Tiles.t_threeOne, Tiles.t_tables, Tiles.t_unprefetched, Tiles.t_alwaysBlocked);
            (Tiles.t_unpackedA, Tiles.t_threeOne, Tiles.t_tables, Tiles.t_unprefetched, Tiles.t_alwaysBlocked) = (unpackedA, threeOne, tables, unprefetched, alwaysBlocked);
        }

        public void Dispose() =>
            (Tiles.t_unpackedA, Tiles.t_threeOne, Tiles.t_tables, Tiles.t_unprefetched, Tiles.t_alwaysBlocked) = (_unpackedA, _threeOne, _tables, _unprefetched, _alwaysBlocked);
    }
}
