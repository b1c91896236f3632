namespace Relucent.Testing;

/// <summary>Counts what repeated calls allocate on the calling thread, robust to the runtime's one-off allocations.</summary>
/// <remarks>
/// The runtime's tiered compilation may allocate once on the calling thread when it promotes a method it is running
/// (seen: 24 bytes to 8 KB in one window, at a moment that depends on the machine's load, never with
/// <c>DOTNET_TieredCompilation=0</c>). A call that allocates allocates in every window of calls, so the least over up to
/// a hundred windows is zero only when the calls themselves allocate nothing: a one-off of the runtime cannot make a test that
/// asks for zero fail, and an allocation per call cannot make it pass.
/// </remarks>
public static class Allocations
{
    /// <summary>
    /// The least number of bytes any window of <paramref name="calls"/> calls of <paramref name="action"/> allocated on
    /// this thread (windows stop at the first that allocated nothing; at most <paramref name="windows"/>: the runtime promotes methods to optimised code over many calls, sometimes one per window for a while). Call the
    /// action once before, so first-call work (workspaces, JIT) is not counted.
    /// </summary>
    public static long LeastPerWindow(Action action, int calls, int windows = 100)
    {
        long least = long.MaxValue;
        for (int window = 0; window < windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
