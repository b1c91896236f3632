using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// The packed A of <see cref="Tiles"/>: the rows of each row tile copied once per product into one contiguous panel, tap
    /// after tap (<c>TileRows</c> values each), so a tile's broadcasts read one stream instead of one cache line per tap.
    /// Where A's taps lie a whole row of filters apart (a forward's <c>taps × filters</c> weights), those lines fall into a
    /// few L1 sets and evict each other long before the next column tile reads them again. The panel holds A's values
    /// unchanged, so the products are the same bits.
    /// </summary>
    internal static unsafe class APanel
    {
        /// <summary>The largest panel, in bytes (<see cref="Tiles"/> keeps a larger A in place): 8 MB, twice ResNet-50's largest 1×1 weights.</summary>
        public const long MaxBytes = 8L << 20;

        /// <summary>This thread's panel (pinned, grown and never shrunk, as <see cref="Scratch{T}"/>), in bytes.</summary>
        [ThreadStatic] private static byte[]? t_panel;

        /// <summary>This thread's offset table: <c>t · TileRows</c>, where tap t's weights start in a row tile's panel.</summary>
        [ThreadStatic] private static int[]? t_offsets;

        /// <summary>
        /// Copies <c>A[r + aOff[t]]</c> (rows one value apart) into this thread's panel (<see cref="PackInto{T}"/>);
        /// <paramref name="offsets"/> is the table <c>t · TileRows</c> a tile reads its panel through, with a row step of 1.
        /// </summary>
        public static T* Pack<T, TV, S>(T* a, int* aOff, int rows, int taps, out int* offsets)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            T* panel = (T*)Get(ref t_panel, Length(rows, taps, S.TileRows) * sizeof(T));
            PackInto(a, aOff, 1, rows, taps, S.TileRows, panel);
            offsets = Offsets(taps, S.TileRows);
            return panel;
        }

        /// <summary>The values a panel of <paramref name="rows"/> rows (in tiles of at most <paramref name="tileRows"/>) over <paramref name="taps"/> taps holds: each row tile padded to <paramref name="tileRows"/> rows.</summary>
        public static long Length(int rows, int taps, int tileRows) => (long)(rows + tileRows - 1) / tileRows * taps * tileRows;

        /// <summary>
        /// The panel layout: <c>A[r · aRow + aOff[t]]</c> of row tile <c>i</c> (rows shared evenly among the
        /// tiles, as <see cref="Tiles"/> shares them) to <c>panel[(i · taps + t) · tileRows + r − r0]</c>, <see cref="Length"/>
        /// values; a shorter tile's last row slots are left as they were (never read). <see cref="Tiles"/> packs A this way
        /// per product; <see cref="WinogradWeights"/> keeps Winograd's transformed weights this way once per network.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PackInto<T>(T* a, int* aOff, nint aRow, int rows, int taps, int tileRows, T* panel) where T : unmanaged =>
            Copy(a, aOff, aRow, rows, taps, tileRows, panel, pack: true);

        /// <summary>The inverse of <see cref="PackInto{T}"/>: each of A's values back from its place in <paramref name="panel"/>.</summary>
        public static void UnpackFrom<T>(T* panel, int* aOff, nint aRow, int rows, int taps, int tileRows, T* a) where T : unmanaged =>
            Copy(a, aOff, aRow, rows, taps, tileRows, panel, pack: false);

        private static void Copy<T>(T* a, int* aOff, nint aRow, int rows, int taps, int tileRows, T* panel, bool pack) where T : unmanaged
        {
            int rowTiles = (rows + tileRows - 1) / tileRows, rowsEach = rows / rowTiles, longer = rows % rowTiles;
            for (int tile = 0; tile < rowTiles; tile++)
            {
                int r0 = tile * rowsEach + Math.Min(tile, longer), r = rowsEach + (tile < longer ? 1 : 0);
                T* inA = a + r0 * aRow, inPanel = panel + (long)tile * taps * tileRows;
                if (pack && r == tileRows && aRow == 1)
                {
                    uint bytes = (uint)(tileRows * sizeof(T));
                    for (int t = 0; t < taps; t++) Unsafe.CopyBlockUnaligned(inPanel + t * tileRows, inA + aOff[t], bytes);
                }
                else
                {
                    for (int t = 0; t < taps; t++)
                    {
                        for (int i = 0; i < r; i++)
                        {
                            if (pack) inPanel[t * tileRows + i] = inA[aOff[t] + i * aRow];
                            else inA[aOff[t] + i * aRow] = inPanel[t * tileRows + i];
                        }
                    }
                }
            }
        }

        /// <summary>This thread's table <c>t · tileRows</c> for <c>t &lt; taps</c>: where tap t's values start in a row tile's panel.</summary>
        public static int* Offsets(int taps, int tileRows)
        {
            int[]? table = t_offsets;
            if (table is null || table.Length < taps) t_offsets = table = GC.AllocateUninitializedArray<int>(Math.Max(taps, 1024), pinned: true);
            int* offsets = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(table));
            for (int t = 0; t < taps; t++) offsets[t] = t * tileRows;
            return offsets;
        }

        /// <summary>At least <paramref name="bytes"/> (at most <see cref="MaxBytes"/>) bytes of this thread's buffer, aligned to 64.</summary>
        private static byte* Get(ref byte[]? buffer, long bytes)
        {
            byte[]? current = buffer;
            if (current is null || bytes + 64 > current.Length)
            {
                buffer = current = GC.AllocateUninitializedArray<byte>((int)Math.Max(bytes + 64, Math.Min(2L * (current?.Length ?? 0), MaxBytes + 64)), pinned: true);
            }
            byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(current));
            return (byte*)(((nuint)start + 63) & ~(nuint)63);
        }
    }
}
