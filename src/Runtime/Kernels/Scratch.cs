using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>
    /// Per-thread scratch memory for the kernels (staged inputs, output tiles, offset tables): <see cref="ThreadStaticAttribute"/>
    /// buffers, grown (doubling) when a larger layer first needs more and never shrunk, so after the first call
    /// of each size on a thread the kernels allocate nothing. Buffers are pinned (pinned object heap), so the
    /// kernels take their address without <c>fixed</c>. A kernel never reads scratch it did not write in the same
    /// call, except the slack lanes noted where they are read: those feed only discarded outputs, so stale
    /// contents can never change a result.
    /// </summary>
    internal static unsafe class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? s_first;
        [ThreadStatic] private static T[]? s_second;
        [ThreadStatic] private static T[]? s_third;
        [ThreadStatic] private static T[]? s_fourth;

        /// <summary>The first buffer, at least <paramref name="length"/> values.</summary>
        public static T* First(long length) => Get(ref s_first, length);

        /// <summary>The second buffer, at least <paramref name="length"/> values, distinct from the first.</summary>
        public static T* Second(long length) => Get(ref s_second, length);

        /// <summary>The third buffer, at least <paramref name="length"/> values, distinct from the others.</summary>
        public static T* Third(long length) => Get(ref s_third, length);

        /// <summary>The fourth buffer, at least <paramref name="length"/> values, distinct from the others.</summary>
        public static T* Fourth(long length) => Get(ref s_fourth, length);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static T* Get(ref T[]? buffer, long length)
        {
            if (length > ScratchRequests.t_largest) ScratchRequests.t_largest = length;
            T[]? current = buffer;
            // A negative length (a size that wrapped around) compares as huge and is refused by Grow.
            if (current is null || (ulong)length > (ulong)current.Length) current = Grow(ref buffer, length);
            return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(current));
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static T[] Grow(ref T[]? buffer, long length)
        {
            // The geometry structs refuse every layer whose scratch would exceed the limit (KernelScratch), so this is the
            // last line of defence: never form a pointer to a buffer shorter than the kernel believes.
            if (length < 0 || length > Limits.MaxElements + 1024)
            {
                throw new InvalidOperationException($"A kernel asked for {length} values of scratch, beyond the limit of {Limits.MaxElements} (Relucent.Model.Limits.MaxElements); its geometry should have been refused.");
            }
            long size = Math.Max(length, Math.Min(2L * (buffer?.Length ?? 0), Limits.MaxElements));
            size = Math.Max(size, 1024);
            // A little slack past the requested length, so a kernel may round a read up to a whole vector.
            T[] grown = GC.AllocateUninitializedArray<T>((int)size + 64 / sizeof(T), pinned: true);
            buffer = grown;
            return grown;
        }
    }

    /// <summary>The largest scratch request on this thread (values of any type), for the test that checks <see cref="Model.KernelScratch"/> bounds every request.</summary>
    internal static class ScratchRequests
    {
        [ThreadStatic] internal static long t_largest;
    }
}
