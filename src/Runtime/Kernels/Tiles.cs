using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>A compile-time count: the struct type arguments below let one generic tile method compile to each tile shape.</summary>
    internal interface ICount
    {
        static abstract int Value { get; }
    }

    internal readonly struct Count1 : ICount { public static int Value => 1; }
    internal readonly struct Count2 : ICount { public static int Value => 2; }
    internal readonly struct Count3 : ICount { public static int Value => 3; }
    internal readonly struct Count4 : ICount { public static int Value => 4; }
    internal readonly struct Count5 : ICount { public static int Value => 5; }
    internal readonly struct Count6 : ICount { public static int Value => 6; }
    internal readonly struct Count7 : ICount { public static int Value => 7; }
    internal readonly struct Count8 : ICount { public static int Value => 8; }

    /// <summary>How a tile finds each tap's A and B: through the offset tables, or (where both tables step evenly) by stepping pointers.</summary>
    internal interface ITapWalk
    {
        /// <summary>Whether the tile steps its A and B pointers by fixed steps, never reading the tables past their first entries.</summary>
        static abstract bool Steps { get; }

        /// <summary>Whether a stepping tile prefetches the lines of the tap <see cref="Tiles"/>' <c>Ahead</c> taps on.</summary>
        static abstract bool Ahead { get; }
    }

    internal readonly struct TapTables : ITapWalk { public static bool Steps => false; public static bool Ahead => false; }
    internal readonly struct TapSteps : ITapWalk { public static bool Steps => true; public static bool Ahead => false; }
    internal readonly struct TapStepsAhead : ITapWalk { public static bool Steps => true; public static bool Ahead => true; }

    /// <summary>
    /// The one hot loop of every convolution: a register tile of up to 8 rows × 3 vectors of
    /// <c>C[r, q] = Σ_t A[r·aRow + aOff[t]] · B[bOff[t] + q]</c>. A row is a filter (forward) or an input channel
    /// (input gradient), <c>q</c> runs over output positions (contiguous), <c>t</c> over the taps listed in the
    /// offset tables, so the same tile runs implicit im2col (B is the padded input shifted per tap), explicit im2col
    /// and the transposed convolution. Each step loads the N vectors of B once and the R weights once (as broadcasts)
    /// for R·N fused multiply-adds; the accumulators stay in registers for the whole sum and are stored once, or once
    /// per chunk of taps where a long sum runs in chunks (each continuing from the stored sums: the same chain).
    /// The sum over t always runs in table order, one accumulator per output lane: results never depend on the
    /// tiling, the chunks, the thread or the call. Where both tables step evenly (1×1 convolutions, panels), a tile walks
    /// them by pointer steps instead of reading them, and where a tap's lines lie far apart it prefetches a few taps ahead:
    /// the same addresses in the same order.
    /// </summary>
    internal static unsafe class Tiles
    {
        /// <summary>
        /// <c>C[r·ldc + q] = Σ_t A[r·aRow + aOff[t]] · B[bOff[t] + q]</c> for <c>r &lt; rows</c>, <c>q &lt; vectors·Count</c>,
        /// tile by tile (at most <c>S.TileRows</c> rows, shared evenly; vectors in steps of 3). Every B read is in
        /// <c>[bOff[t], bOff[t] + vectors·Count)</c>; the caller sizes B for that. Each output lane is one chain of fused
        /// multiply-adds over <c>t</c> in table order whatever the tile shape, so large products are shared among
        /// threads (<see cref="KernelParallelism"/>) piece by piece without changing a bit.
        /// </summary>
        public static void Multiply<T, TV, S>(T* a, int* aOff, nint aRow, int rows, T* b, int* bOff, int taps, int vectors, T* c, nint ldc)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> =>
            Multiply<T, TV, S>(1, a, 0, aOff, aRow, rows, b, 0, bOff, taps, vectors, c, 0, ldc, default);

        /// <summary>
        /// As <see cref="Multiply{T, TV, S}(T*, int*, nint, int, T*, int*, int, int, T*, nint)"/>, each row finished by
        /// <paramref name="epilogue"/> as it is stored (a layer's bias and rectifier, and a last vector of fewer lanes): the
        /// product then goes straight into the layer's output, with no copy-out pass.
        /// </summary>
        public static void Multiply<T, TV, S>(T* a, int* aOff, nint aRow, int rows, T* b, int* bOff, int taps, int vectors, T* c, nint ldc, Epilogue<T> epilogue)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> =>
            Multiply<T, TV, S>(1, a, 0, aOff, aRow, rows, b, 0, bOff, taps, vectors, c, 0, ldc, epilogue);

        /// <summary>
        /// <paramref name="count"/> products of the same shape and offset tables, product <c>i</c> at <c>a + i·aStep</c>,
        /// <c>b + i·bStep</c>, <c>c + i·cStep</c> (Winograd's 16), shared among threads as one job.
        /// </summary>
        public static void Multiply<T, TV, S>(int count, T* a, nint aStep, int* aOff, nint aRow, int rows, T* b, nint bStep, int* bOff, int taps, int vectors, T* c, nint cStep, nint ldc, Epilogue<T> epilogue)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (PacksA(count, aOff, aRow, rows, taps, (vectors + 2) / 3, S.TileRows, sizeof(T)))
            {
                T* panel = APanel.Pack<T, TV, S>(a, aOff, rows, taps, out int* panelOff);
                t_packedProducts++;
                Run<T, TV, S>(1, panel, 0, panelOff, 1, rows, panels: true, b, bStep, bOff, taps, vectors, c, cStep, ldc, epilogue);
                return;
            }
            Run<T, TV, S>(count, a, aStep, aOff, aRow, rows, panels: false, b, bStep, bOff, taps, vectors, c, cStep, ldc, epilogue);
        }

        /// <summary>
        /// As <see cref="Multiply{T, TV, S}(int, T*, nint, int*, nint, int, T*, nint, int*, int, int, T*, nint, nint, Epilogue{T})"/>
        /// with each product's A already in row-tile panels (<see cref="APanel.PackInto{T}"/> with <c>S.TileRows</c>: rows shared
        /// among the tiles exactly as here), product <c>i</c>'s at <c>panels + i·panelStep</c>: a caller that keeps its A
        /// (Winograd's prepared weights) in that layout saves both the per-tap cache line of A in place and the packing.
        /// </summary>
        public static void MultiplyPanels<T, TV, S>(int count, T* panels, nint panelStep, int rows, T* b, nint bStep, int* bOff, int taps, int vectors, T* c, nint cStep, nint ldc, Epilogue<T> epilogue)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            t_callerPanels += count;
            Run<T, TV, S>(count, panels, panelStep, APanel.Offsets(taps, S.TileRows), 1, rows, panels: true, b, bStep, bOff, taps, vectors, c, cStep, ldc, epilogue);
        }

        /// <summary>The products, A in place or (<paramref name="panels"/>) in row-tile panels read through the table <c>t · TileRows</c>.</summary>
        private static void Run<T, TV, S>(int count, T* a, nint aStep, int* aOff, nint aRow, int rows, bool panels, T* b, nint bStep, int* bOff, int taps, int vectors, T* c, nint cStep, nint ldc, Epilogue<T> epilogue)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int rowTiles = (rows + S.TileRows - 1) / S.TileRows;
            int columnTiles = (vectors + 2) / 3;
            // Column blocks whose B panel (taps × block) stays in L2 while every row tile passes over it: B is then read
            // from memory once, A (the weights, small or streamed) once per block. Where one chunk of taps over all the columns
            // fits in L2 already, the chunks keep B there and blocks only cut its rows into short runs: the transposed product's
            // B (a tap's weights, 2–8 KB per row) then arrives 192 bytes at a time, 2 KB apart.
            int chunk = Chunk(taps, S.Count * sizeof(T), aRow);
            long panelBytes = (long)taps * 3 * S.Count * sizeof(T);
            bool sliceFits = !t_alwaysBlocked && (long)chunk * vectors * S.Count * sizeof(T) <= SliceBytes;
            int tilesPerBlock = t_unblocked || sliceFits ? columnTiles : (int)Math.Clamp(BlockBytes / Math.Max(panelBytes, 1), 1, columnTiles);
            int threads = KernelParallelism.Threads((long)count * rows * vectors * S.Count * taps);
            int blocks = (columnTiles + tilesPerBlock - 1) / tilesPerBlock;
            int rowGroups = 1;
            if (threads > 1)
            {
                // At least 4 pieces per thread: smaller blocks first, then the row tiles split into groups.
                int wanted = (4 * threads + count - 1) / count;
                if (blocks < wanted)
                {
                    tilesPerBlock = Math.Max(1, columnTiles / wanted);
                    blocks = (columnTiles + tilesPerBlock - 1) / tilesPerBlock;
                }
                if (blocks < wanted) rowGroups = Math.Min(rowTiles, (wanted + blocks - 1) / blocks);
            }
            var job = new Job<T>
            {
                A = a, AOff = aOff, ARow = aRow, Rows = rows, B = b, BOff = bOff, Taps = taps, Vectors = vectors, C = c, Ldc = ldc,
                TilesPerBlock = tilesPerBlock, RowGroups = rowGroups, Pieces = blocks * rowGroups, AStep = aStep, BStep = bStep, CStep = cStep,
                Epilogue = epilogue, Chunk = chunk, Pairs = !t_threeOne, Panels = panels,
            };
            job.Steps = !t_tables && Evenly(aOff, taps, out job.ATapStep) && Evenly(bOff, taps, out job.BTapStep);
            if (job.Steps) t_steppedProducts++;
            // Prefetching where a tap's lines lie far from the last tap's (1×1 convolutions' weights and planes, the transposed
            // product's weights): where both steps are short (Winograd's products, whose B is compact and A a panel) the
            // hardware prefetchers keep up, and the prefetches only cost issue slots (layer2's 3×3 there: 1.03 → 1.43 ms).
            job.Prefetches = !t_unprefetched && Math.Max(Math.Abs((long)job.ATapStep), Math.Abs((long)job.BTapStep)) * sizeof(T) >= 1024;
            KernelParallelism.For(count * job.Pieces, threads, &Piece<T, TV, S>, &job);
        }

        /// <summary>Set on a thread to run each row tile over all columns (no column blocks): benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_unblocked;

        /// <summary>Set on a thread to cut the columns into blocks even where a chunk of taps over all of them fits <see cref="SliceBytes"/>: benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_alwaysBlocked;

        /// <summary>Set on a thread to run each tile over all taps at once (no chunks): benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_unchunked;

        /// <summary>Set on a thread to cut a block's last 4 vectors 3 + 1 (not 2 + 2): benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_threeOne;

        /// <summary>Set on a thread to read A in place, never from an <see cref="APanel"/>: benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_unpackedA;

        /// <summary>Set on a thread to walk the offset tables always (never by pointer steps, never prefetching): benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_tables;

        /// <summary>Set on a thread to walk tables that step evenly by pointer steps without prefetching: benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_unprefetched;

        /// <summary>Counts, on this thread, the products whose tiles walked their taps by pointer steps: tests check that a case does.</summary>
        [ThreadStatic] internal static int t_steppedProducts;

        /// <summary>Counts, on this thread, the products that read A from an <see cref="APanel"/>: tests check that a case does.</summary>
        [ThreadStatic] internal static int t_packedProducts;

        /// <summary>Counts, on this thread, the products that read A from a caller's panels (<see cref="MultiplyPanels"/>): tests check that a case does.</summary>
        [ThreadStatic] internal static int t_callerPanels;

        /// <summary>
        /// Whether a product reads A from a packed <see cref="APanel"/>: a single product (Winograd's 16 would pack 16 A's)
        /// whose A has its rows one value apart and its taps at least 256 values (1 KB in float) apart, the forward's
        /// <c>taps × filters</c> weights from 256 filters on: a row tile's A then lies on lines that fall into at most 4 of
        /// L1's 64 sets, fewer than a chunk's taps, and they evict each other before the next column tile reads them again.
        /// With 8 column tiles or more the one pass that packs A pays (ResNet-50's 1×1 128→512 at 28×28: 133 → 153 GFLOP/s
        /// on one core, 64→256 at 56×56: 143 → 152); with fewer it may not (1024→256 at 14×14, 5 column tiles: 134 → 125).
        /// The panel is a copy of A: at most <see cref="APanel.MaxBytes"/>, so a huge layer keeps A in place rather than
        /// doubling its memory.
        /// </summary>
        private static bool PacksA(int count, int* aOff, nint aRow, int rows, int taps, int columnTiles, int tileRows, int valueBytes) =>
            !t_unpackedA && count == 1 && aRow == 1 && taps > 1 && rows > tileRows && columnTiles >= 8 && Math.Abs((long)aOff[1] - aOff[0]) >= 256
            && APanel.Length(rows, taps, tileRows) * valueBytes <= APanel.MaxBytes;

        /// <summary>The bytes of B one column tile's chunk of taps spans: half an L1.</summary>
        private const long ChunkBytes = 24 * 1024;

        /// <summary>Counts, on this thread, the products whose sums ran in chunks of taps: tests check that a case does chunk.</summary>
        [ThreadStatic] internal static int t_chunkedProducts;

        /// <summary>
        /// Taps per chunk for B vectors of <paramref name="vectorBytes"/>: all of them when a chunk would leave a short remainder,
        /// and when A's weights for a tap are not one run across the rows (<paramref name="aRow"/> ≠ 1: the input and weight
        /// gradients, whose A streams row by row along the taps). There, chunks cut the streams short and cost more than they
        /// save (ResNet-50's layer4 1×1 512→2048 input gradient: 1.13 ms unchunked, 1.54 ms in chunks of 128 taps).
        /// </summary>
        internal static int Chunk(int taps, int vectorBytes, nint aRow)
        {
            int chunk = (int)Math.Max(32, ChunkBytes / (3L * vectorBytes));
            if (t_unchunked || aRow != 1 || taps <= chunk + chunk / 2) return taps;
            t_chunkedProducts++;
            return chunk;
        }

        /// <summary>The bytes of B a column block may span: well inside a 1–2 MB L2, with room for A's panel and C.</summary>
        private const long BlockBytes = 384 * 1024;

        /// <summary>
        /// The bytes of B one chunk of taps may span over all the columns and still run without column blocks. Measured on
        /// ResNet-50's layers (one thread, blocks against none): at 106–401 KB none was faster (layer4.0's 3×3 stride 2,
        /// transposed: 2.74 → 2.20 ms; layer4's 1×1 2048→512 1.12 → 0.84; layer3.0's 3×3 stride 2 2.28 → 1.99); at 800 KB
        /// (1×1 64→64 at 56×56) blocks were 2–6 % faster, at 1.6 MB and more 17–59 %.
        /// </summary>
        private const long SliceBytes = 512 * 1024;

        private struct Job<T> where T : unmanaged
        {
            public T* A;
            public int* AOff;
            public nint ARow;
            public int Rows;
            public T* B;
            public int* BOff;
            public int Taps;
            public int Vectors;
            public T* C;
            public nint Ldc;
            public int TilesPerBlock;
            public int RowGroups;
            public int Pieces;
            public nint AStep;
            public nint BStep;
            public nint CStep;
            public Epilogue<T> Epilogue;
            public int Chunk;
            public bool Pairs;
            public bool Panels; // A in row-tile panels (APanel's layout), AOff the table t · TileRows
            public bool Steps; // aOff[t] = aOff[0] + t · ATapStep and bOff[t] = bOff[0] + t · BTapStep: walked by pointer steps
            public int ATapStep;
            public int BTapStep;
            public bool Prefetches; // stepping tiles prefetch a few taps ahead
        }

        /// <summary>One piece of product <c>p / Pieces</c>: column block <c>q / RowGroups</c>, its row tiles of group <c>q % RowGroups</c> (<c>q = p mod Pieces</c>), each over the block's column tiles.</summary>
        private static void Piece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            int product = piece / job.Pieces;
            piece %= job.Pieces;
            T* a = job.A + product * job.AStep, b = job.B + product * job.BStep, c = job.C + product * job.CStep;
            // Rows shared evenly among the row tiles (9 rows: 5 + 4, not 8 + 1, whose one-row tile would be load-bound).
            int rowTiles = (job.Rows + S.TileRows - 1) / S.TileRows, rowsEach = job.Rows / rowTiles, longer = job.Rows % rowTiles;
            int block = piece / job.RowGroups, group = piece % job.RowGroups;
            int firstTile = group * rowTiles / job.RowGroups, endTile = (group + 1) * rowTiles / job.RowGroups;
            int firstVector = block * job.TilesPerBlock * 3;
            int endVector = Math.Min(job.Vectors, firstVector + job.TilesPerBlock * 3);
            int* aOff = job.AOff, bOff = job.BOff;
            nint aRow = job.ARow, ldc = job.Ldc;
            int taps = job.Taps;
            int lastLanes = job.Epilogue.LastCount > 0 ? job.Epilogue.LastCount : S.Count;
            nint aStep = job.ATapStep, bStep = job.BTapStep;
            // The sum over taps in chunks that keep a column tile's slice of B (chunk × 3 vectors) in L1 while every row tile
            // passes over it, where a whole panel would be read from L2 or beyond once per row tile: a chunk continues each
            // accumulator from where the last one stored it, so every output is still one chain of fused multiply-adds over
            // all the taps in order (a stored float is the accumulator's exact value).
            int chunk = job.Chunk;
            for (int k0 = 0; k0 < taps; k0 += chunk)
            {
                int kn = Math.Min(chunk, taps - k0);
                bool first = k0 == 0, final = k0 + kn == taps;
                int* aOffChunk = aOff + k0, bOffChunk = bOff + k0;
                for (int tile = firstTile; tile < endTile; tile++)
                {
                    int r0 = tile * rowsEach + Math.Min(tile, longer);
                    int r = rowsEach + (tile < longer ? 1 : 0);
                    // In panels, this row tile's rows tap after tap (see APanel); in place, its first row.
                    T* ar = job.Panels ? a + (nint)tile * taps * S.TileRows : a + r0 * aRow;
                    T* cr = c + r0 * ldc;
                    // Intermediate chunks store the raw sums (masked as the final store will be); the last one the layer's epilogue.
                    Epilogue<T> e = final ? job.Epilogue.ForRow(r0) : default;
                    for (int v0 = firstVector, n; v0 < endVector; v0 += n)
                    {
                        // The last 4 vectors as 2 + 2: a one-vector tile loads a weight for each multiply-add and runs at half speed.
                        n = job.Pairs && endVector - v0 == 4 ? 2 : Math.Min(3, endVector - v0);
                        T* bv = b + v0 * S.Count;
                        T* cv = cr + v0 * S.Count;
                        int last = v0 + n == job.Vectors ? lastLanes : S.Count; // lanes of the tile's final vector
                        if (!job.Steps) Dispatch<T, TV, S, TapTables>(r, n, ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, 0, 0);
                        else if (job.Prefetches) Dispatch<T, TV, S, TapStepsAhead>(r, n, ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep);
                        else Dispatch<T, TV, S, TapSteps>(r, n, ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep);
                    }
                }
            }
        }

        /// <summary>
        /// Whether <c>off[t] = off[0] + t · step</c> for every tap (with no sum past <see cref="int"/>'s range, so the table's
        /// values and the steps agree exactly), checked a vector of entries at a time: once per product, a small cost beside it.
        /// </summary>
        internal static bool Evenly(int* off, int taps, out int step)
        {
            step = taps > 1 ? off[1] - off[0] : 0;
            if (taps < 1) return false;
            long end = off[0] + ((long)off[1 % taps] - off[0]) * (taps - 1);
            if (end < int.MinValue || end > int.MaxValue || (long)off[1 % taps] - off[0] != step) return false;
            int t = 0, count = Vector<int>.Count;
            if (taps >= count)
            {
                // Each entry off[0] + t · step fits in an int, so the vectors hold them exactly.
                var expected = new Vector<int>(off[0]) + Vector<int>.Indices * step;
                var stride = new Vector<int>(step * count);
                for (; t + count <= taps; t += count, expected += stride)
                {
                    if (Vector.Load(off + t) != expected) return false;
                }
            }
            for (; t < taps; t++)
            {
                if (off[t] != off[0] + t * step) return false;
            }
            return true;
        }

        /// <summary>The tile of <paramref name="r"/> rows × <paramref name="n"/> vectors.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Dispatch<T, TV, S, W>(int r, int n, T* ar, int* aOffChunk, nint aRow, T* bv, int* bOffChunk, int kn, T* cv, nint ldc, Epilogue<T> e, int last, bool first, nint aStep, nint bStep)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where W : struct, ITapWalk
        {
            switch (r * 4 + n)
            {
                case 5: Tile<T, TV, S, Count1, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 6: Tile<T, TV, S, Count1, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 7: Tile<T, TV, S, Count1, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 9: Tile<T, TV, S, Count2, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 10: Tile<T, TV, S, Count2, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 11: Tile<T, TV, S, Count2, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 13: Tile<T, TV, S, Count3, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 14: Tile<T, TV, S, Count3, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 15: Tile<T, TV, S, Count3, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 17: Tile<T, TV, S, Count4, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 18: Tile<T, TV, S, Count4, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 19: Tile<T, TV, S, Count4, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 21: Tile<T, TV, S, Count5, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 22: Tile<T, TV, S, Count5, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 23: Tile<T, TV, S, Count5, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 25: Tile<T, TV, S, Count6, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 26: Tile<T, TV, S, Count6, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 27: Tile<T, TV, S, Count6, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 29: Tile<T, TV, S, Count7, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 30: Tile<T, TV, S, Count7, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 31: Tile<T, TV, S, Count7, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 33: Tile<T, TV, S, Count8, Count1, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 34: Tile<T, TV, S, Count8, Count2, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
                case 35: Tile<T, TV, S, Count8, Count3, W>(ar, aOffChunk, aRow, bv, bOffChunk, kn, cv, ldc, e, last, first, aStep, bStep); break;
            }
        }

        /// <summary>One row of a tile's stored sums, the final vector to <paramref name="last"/> lanes (the inverse of <see cref="Put"/> without an epilogue).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Get<T, TV, S, TN>(T* cp, int last, out TV v0, out TV v1, out TV v2)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TN : struct, ICount
        {
            nint vl = S.Count;
            T* end = cp + (TN.Value - 1) * vl;
            TV final = last == vl ? S.Load(end) : S.LoadFirst(end, last);
            v0 = TN.Value == 1 ? final : S.Load(cp);
            v1 = TN.Value == 2 ? final : TN.Value > 2 ? S.Load(cp + vl) : S.Zero;
            v2 = TN.Value == 3 ? final : S.Zero;
        }

        /// <summary>One row of a tile: through the epilogue (bias or +0, then the rectifier) when it is active, the final vector to <paramref name="last"/> lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put<T, TV, S, TN>(T* cp, TV v0, TV v1, TV v2, Epilogue<T> e, int row, int last)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TN : struct, ICount
        {
            nint vl = S.Count;
            if (e.Active)
            {
                TV bias = S.Broadcast(e.Bias == null ? T.Zero : e.Bias[row]);
                v0 = Rows.Rectify<T, TV, S>(S.Add(v0, bias), e.Rectifier);
                if (TN.Value > 1) v1 = Rows.Rectify<T, TV, S>(S.Add(v1, bias), e.Rectifier);
                if (TN.Value > 2) v2 = Rows.Rectify<T, TV, S>(S.Add(v2, bias), e.Rectifier);
            }
            TV final = TN.Value == 1 ? v0 : TN.Value == 2 ? v1 : v2;
            if (TN.Value > 1) S.Store(cp, v0);
            if (TN.Value > 2) S.Store(cp + vl, v1);
            T* end = cp + (TN.Value - 1) * vl;
            if (last == vl) S.Store(end, final);
            else S.StoreFirst(end, final, last);
        }

        /// <summary>
        /// Taps between a stepping tile's prefetch and its use: about 60 cycles at 12 per tap, an L2 hit's latency with a TLB
        /// miss and room to spare (ResNet-50's 1×1 256→64 at 56×56 on one core: 134 → 146 GFLOP/s over the steps alone; 4–8 measured alike).
        /// </summary>
        private const int Ahead = 5;

        /// <summary>One tile of <typeparamref name="TR"/> rows × <typeparamref name="TN"/> vectors; the guards are constants, so each shape compiles to straight-line code.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void Tile<T, TV, S, TR, TN, W>(T* a, int* aOff, nint aRow, T* b, int* bOff, int taps, T* c, nint ldc, Epilogue<T> e, int last, bool first, nint aStep, nint bStep)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TR : struct, ICount where TN : struct, ICount where W : struct, ITapWalk
        {
            // No call may stay in this method: the JIT keeps vectors live across a call on the stack.
            nint vl = S.Count;
            TV c00 = S.Zero; TV c01 = S.Zero; TV c02 = S.Zero;
            TV c10 = S.Zero; TV c11 = S.Zero; TV c12 = S.Zero;
            TV c20 = S.Zero; TV c21 = S.Zero; TV c22 = S.Zero;
            TV c30 = S.Zero; TV c31 = S.Zero; TV c32 = S.Zero;
            TV c40 = S.Zero; TV c41 = S.Zero; TV c42 = S.Zero;
            TV c50 = S.Zero; TV c51 = S.Zero; TV c52 = S.Zero;
            TV c60 = S.Zero; TV c61 = S.Zero; TV c62 = S.Zero;
            TV c70 = S.Zero; TV c71 = S.Zero; TV c72 = S.Zero;
            if (!first)
            {
                // A later chunk of taps: continue from the sums the earlier chunks stored.
                Get<T, TV, S, TN>(c, last, out c00, out c01, out c02);
                if (TR.Value > 1) Get<T, TV, S, TN>(c + ldc, last, out c10, out c11, out c12);
                if (TR.Value > 2) Get<T, TV, S, TN>(c + 2 * ldc, last, out c20, out c21, out c22);
                if (TR.Value > 3) Get<T, TV, S, TN>(c + 3 * ldc, last, out c30, out c31, out c32);
                if (TR.Value > 4) Get<T, TV, S, TN>(c + 4 * ldc, last, out c40, out c41, out c42);
                if (TR.Value > 5) Get<T, TV, S, TN>(c + 5 * ldc, last, out c50, out c51, out c52);
                if (TR.Value > 6) Get<T, TV, S, TN>(c + 6 * ldc, last, out c60, out c61, out c62);
                if (TR.Value > 7) Get<T, TV, S, TN>(c + 7 * ldc, last, out c70, out c71, out c72);
            }
            // Stepping, tap t's A and B are a + aOff[0] + t · aStep and b + bOff[0] + t · bStep: the same addresses as the tables'.
            T* ap = W.Steps ? a + aOff[0] : a, bp = W.Steps ? b + bOff[0] : b;
            for (int t = 0; t < taps; t++)
            {
                if (!W.Steps)
                {
                    ap = a + aOff[t];
                    bp = b + bOff[t];
                }
                TV b0 = S.Load(bp);
                TV b1 = TN.Value > 1 ? S.Load(bp + vl) : S.Zero;
                TV b2 = TN.Value > 2 ? S.Load(bp + 2 * vl) : S.Zero;
                { TV w = S.Broadcast(ap); c00 = S.MultiplyAdd(w, b0, c00); if (TN.Value > 1) c01 = S.MultiplyAdd(w, b1, c01); if (TN.Value > 2) c02 = S.MultiplyAdd(w, b2, c02); }
                if (TR.Value > 1) { TV w = S.Broadcast(ap + aRow); c10 = S.MultiplyAdd(w, b0, c10); if (TN.Value > 1) c11 = S.MultiplyAdd(w, b1, c11); if (TN.Value > 2) c12 = S.MultiplyAdd(w, b2, c12); }
                if (TR.Value > 2) { TV w = S.Broadcast(ap + 2 * aRow); c20 = S.MultiplyAdd(w, b0, c20); if (TN.Value > 1) c21 = S.MultiplyAdd(w, b1, c21); if (TN.Value > 2) c22 = S.MultiplyAdd(w, b2, c22); }
                if (TR.Value > 3) { TV w = S.Broadcast(ap + 3 * aRow); c30 = S.MultiplyAdd(w, b0, c30); if (TN.Value > 1) c31 = S.MultiplyAdd(w, b1, c31); if (TN.Value > 2) c32 = S.MultiplyAdd(w, b2, c32); }
                if (TR.Value > 4) { TV w = S.Broadcast(ap + 4 * aRow); c40 = S.MultiplyAdd(w, b0, c40); if (TN.Value > 1) c41 = S.MultiplyAdd(w, b1, c41); if (TN.Value > 2) c42 = S.MultiplyAdd(w, b2, c42); }
                if (TR.Value > 5) { TV w = S.Broadcast(ap + 5 * aRow); c50 = S.MultiplyAdd(w, b0, c50); if (TN.Value > 1) c51 = S.MultiplyAdd(w, b1, c51); if (TN.Value > 2) c52 = S.MultiplyAdd(w, b2, c52); }
                if (TR.Value > 6) { TV w = S.Broadcast(ap + 6 * aRow); c60 = S.MultiplyAdd(w, b0, c60); if (TN.Value > 1) c61 = S.MultiplyAdd(w, b1, c61); if (TN.Value > 2) c62 = S.MultiplyAdd(w, b2, c62); }
                if (TR.Value > 7) { TV w = S.Broadcast(ap + 7 * aRow); c70 = S.MultiplyAdd(w, b0, c70); if (TN.Value > 1) c71 = S.MultiplyAdd(w, b1, c71); if (TN.Value > 2) c72 = S.MultiplyAdd(w, b2, c72); }
                if (W.Steps)
                {
                    if (W.Ahead && Sse.IsSupported)
                    {
                        // The lines of tap t + Ahead: a tap's B vectors and A's weights often lie a page or more past the last
                        // tap's, where the hardware prefetchers stop, and every tap then waited for L2 or beyond. A prefetch
                        // past the end of an array is harmless (it never faults), and it changes no value.
                        byte* pb = (byte*)(bp + Ahead * bStep), pa = (byte*)(ap + Ahead * aStep);
                        int bBytes = TN.Value * S.Count * sizeof(T);
                        Sse.Prefetch0(pb);
                        if (bBytes > 64) Sse.Prefetch0(pb + 64);
                        if (bBytes > 128) Sse.Prefetch0(pb + 128);
                        Sse.Prefetch0(pb + bBytes - 1); // an unaligned run's last line
                        Sse.Prefetch0(pa);
                        if (TR.Value > 1) Sse.Prefetch0(pa + (TR.Value - 1) * aRow * sizeof(T));
                    }
                    ap += aStep;
                    bp += bStep;
                }
            }
            Put<T, TV, S, TN>(c, c00, c01, c02, e, 0, last);
            if (TR.Value > 1) Put<T, TV, S, TN>(c + ldc, c10, c11, c12, e, 1, last);
            if (TR.Value > 2) Put<T, TV, S, TN>(c + 2 * ldc, c20, c21, c22, e, 2, last);
            if (TR.Value > 3) Put<T, TV, S, TN>(c + 3 * ldc, c30, c31, c32, e, 3, last);
            if (TR.Value > 4) Put<T, TV, S, TN>(c + 4 * ldc, c40, c41, c42, e, 4, last);
            if (TR.Value > 5) Put<T, TV, S, TN>(c + 5 * ldc, c50, c51, c52, e, 5, last);
            if (TR.Value > 6) Put<T, TV, S, TN>(c + 6 * ldc, c60, c61, c62, e, 6, last);
            if (TR.Value > 7) Put<T, TV, S, TN>(c + 7 * ldc, c70, c71, c72, e, 7, last);
        }
    }
}
