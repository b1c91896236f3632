using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// How the kernels hold a parameter, against how PyTorch stores it. A matrix (a Dense weight <c>[out, in]</c>, a Conv2D
    /// weight <c>[out, in, k, k]</c> read as <c>[out, in·k·k]</c>) is column-major, element <c>(o, j)</c> at <c>j·rows + o</c>,
    /// so one input's (or one tap's) weights for every output are contiguous; everything else is as PyTorch stores it.
    /// Generated networks and the interpreter both use this, so they hold the same bits.
    /// </summary>
    public static class ParameterLayout
    {
        /// <summary>Whether <paramref name="parameter"/> is held as a column-major matrix.</summary>
        public static bool IsMatrix(ParameterInfo parameter) => parameter.Role == ParameterRole.Weight && parameter.Dimensions.Count > 1;

        /// <summary><paramref name="values"/> (C order, as PyTorch stores them) in the kernels' layout: a new array for a matrix, else the same array.</summary>
        public static T[] ToKernel<T>(ParameterInfo parameter, T[] values)
        {
            if (!IsMatrix(parameter)) return values;
            int rows = parameter.Dimensions[0], columns = (int)(parameter.Size / rows);
            var result = new T[values.Length];
            Transpose<T>(values, result, rows, columns);
            return result;
        }

        /// <summary>The kernels' <paramref name="values"/> back in C order, as PyTorch stores them (always a new array).</summary>
        public static T[] ToPyTorch<T>(ParameterInfo parameter, T[] values)
        {
            if (!IsMatrix(parameter)) return (T[])values.Clone();
            int rows = parameter.Dimensions[0], columns = (int)(parameter.Size / rows);
            var result = new T[values.Length];
            Transpose<T>(values, result, columns, rows);
            return result;
        }

        /// <summary>
        /// <paramref name="target"/>[j·rows + i] = <paramref name="source"/>[i·columns + j]: the row-major
        /// <paramref name="rows"/> × <paramref name="columns"/> matrix written column-major.
        /// </summary>
        /// <remarks>
        /// In tiles of 32 × 32, so that the reads and the writes of a tile each touch 32 rows of one or two cache lines:
        /// element by element along a row, every store lands a whole column apart (16 KB for AlexNet's first dense layer)
        /// and misses the cache, which made this copy most of the time of loading a large network.
        /// </remarks>
        private static void Transpose<T>(T[] source, T[] target, int rows, int columns)
        {
            const int Tile = 32;
            int bands = (rows + Tile - 1) / Tile;
            // A large matrix (VGG's first dense layer: 103 M values, a third of a load's time) is shared among the cores by bands
            // of rows; each band writes its own elements of the target, so the result is the same whatever the split.
            if ((long)rows * columns >= 1 << 22 && Environment.ProcessorCount > 1)
            {
                Parallel.For(0, bands, band => TransposeBand<T>(source, target, rows, columns, band * Tile, Math.Min(rows, band * Tile + Tile)));
            }
            else
            {
                for (int band = 0; band < bands; band++) TransposeBand<T>(source, target, rows, columns, band * Tile, Math.Min(rows, band * Tile + Tile));
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // called once per band: never worth tier 0
        private static void TransposeBand<T>(ReadOnlySpan<T> source, Span<T> target, int rows, int columns, int i0, int i1)
        {
            const int Tile = 32;
            for (int j0 = 0; j0 < columns; j0 += Tile)
            {
                int j1 = Math.Min(columns, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    ReadOnlySpan<T> row = source.Slice(i * columns, columns);
                    for (int j = j0; j < j1; j++) target[j * rows + i] = row[j];
                }
            }
        }
    }
}
