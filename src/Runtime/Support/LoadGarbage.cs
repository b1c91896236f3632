namespace Relucent
{
    /// <summary>
    /// Hands a large model's load-time garbage back before the next allocation needs the room. Loading VGG-11-BN's 531 MB
    /// state_dict leaves the file's bytes, then the C-order weights, as garbage the size of the model; the collector runs
    /// when it chooses, so without this the process held the bytes, the C-order weights and the kernels' weights at once
    /// (a 1,641 MB peak where 1,126 MB suffice). One blocking collection is small beside reading and converting that much;
    /// a small network's construction (made by the thousand in tests and training) never triggers it.
    /// </summary>
    internal static class LoadGarbage
    {
        /// <summary>Below this much garbage the collector is left to itself.</summary>
        public const long Threshold = 64L << 20;

        /// <summary>Collects when <paramref name="bytes"/> of garbage were just left, at least <see cref="Threshold"/>.</summary>
        public static void Released(long bytes)
        {
            if (bytes >= Threshold) GC.Collect();
        }
    }
}
