namespace Relucent
{
    /// <summary>
    /// Hands a large model's load-time garbage back before the next allocation needs the room. Loading VGG-11-BN's 531 MB
    /// state_dict leaves the file's bytes, then the C-order weights, as garbage the size of the model; the collector runs
    /// when it chooses, so without this the process held the bytes, the C-order weights and the kernels' weights at once
    /// (a 1,641 MB peak where 1,126 MB suffice). One blocking collection is small beside reading and converting that much;
    /// a small network's construction (made by the thousand in tests and training) never triggers it. The load's last
    /// collection (the network's constructor's) is the aggressive kind, which also returns the freed memory to the system:
    /// a default one left it resident (VGG-11-BN:
    /// 1,124 MB resident after loading with 634 MB alive, against 681 MB this way), so everything allocated after the load
    /// (the Winograd weights, the workspace, the kernels' scratch) raised the peak instead of reusing those pages.
    /// </summary>
    internal static class LoadGarbage
    {
        /// <summary>Below this much garbage the collector is left to itself.</summary>
        public const long Threshold = 64L << 20;

        /// <summary>
        /// Collects when <paramref name="bytes"/> of garbage were just left, at least <see cref="Threshold"/>; with
        /// <paramref name="returnToSystem"/>, the aggressive kind. Only a load's last collection needs it: with the binder's
        /// aggressive too, loading VGG-11-BN took 2.1–2.6 s, with only the last 1.7–2.1 s (three loads each, quiet), the
        /// same 1.1 GB peak.
        /// </summary>
        public static void Released(long bytes, bool returnToSystem = true)
        {
            if (bytes < Threshold) return;
            if (returnToSystem) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            else GC.Collect();
        }
    }
}
