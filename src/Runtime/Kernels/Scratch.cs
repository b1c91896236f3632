using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        public static T* First(int length) => Get(ref s_first, length);

        /// <summary>The second buffer, at least <paramref name="length"/> values, distinct from the first.</summary>
        public static T* Second(int length) => Get(ref s_second, length);

        /// <summary>The third buffer, at least <paramref name="length"/> values, distinct from the others.</summary>
        public static T* Third(int length) => Get(ref s_third, length);

        /// <summary>The fourth buffer, at least <paramref name="length"/> values, distinct from the others.</summary>
        public static T* Fourth(int length) => Get(ref s_fourth, length);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static T* Get(ref T[]? buffer, int length)
        {
            T[]? current = buffer;
            if (current is null || current.Length < length) current = Grow(ref buffer, length);
            return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(current));
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static T[] Grow(ref T[]? buffer, int length)
        {
            int size = Math.Max(length, Math.Min(2 * (buffer?.Length ?? 0), Array.MaxLength));
            size = Math.Max(size, 1024);
            // A little slack past the requested length, so a kernel may round a read up to a whole vector.
            T[] grown = GC.AllocateUninitializedArray<T>(size + 64 / sizeof(T), pinned: true);
            buffer = grown;
            return grown;
        }
    }
}
