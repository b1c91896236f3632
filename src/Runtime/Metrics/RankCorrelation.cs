using System.Numerics;

namespace Relucent.Metrics
{
    /// <summary>Spearman's rank correlation, as the model-randomisation check reports it.</summary>
    public static class RankCorrelation
    {
        /// <summary>
        /// Spearman's ρ of <paramref name="a"/> and <paramref name="b"/>: Pearson's correlation of their ranks, ties given
        /// their average rank (as <c>scipy.stats.spearmanr</c>). NaN when either side is constant (no ranking).
        /// </summary>
        public static double Spearman<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (a.Length != b.Length) throw new ArgumentException($"The two sides have {a.Length} and {b.Length} values.", nameof(b));
            if (a.Length < 2) throw new ArgumentException("A correlation needs at least two values.", nameof(a));
            double[] ra = Ranks(a), rb = Ranks(b);
            return Pearson(ra, rb);
        }

        /// <summary>The ranks of <paramref name="values"/>, 1 for the smallest, ties given their average rank.</summary>
        public static double[] Ranks<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = values.Length;
            var keys = new double[n];
            var order = new int[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = double.CreateTruncating(values[i]);
                order[i] = i;
            }

            Array.Sort(keys, order);
            var ranks = new double[n];
            for (int start = 0; start < n;)
            {
                int end = start + 1;
                while (end < n && keys[end] == keys[start]) end++;
                double rank = (start + end + 1) / 2.0; // the mean of ranks start+1 .. end
                for (int k = start; k < end; k++) ranks[order[k]] = rank;
                start = end;
            }

            return ranks;
        }

        /// <summary>Pearson's correlation; NaN when either side has zero variance.</summary>
        public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            if (a.Length != b.Length) throw new ArgumentException($"The two sides have {a.Length} and {b.Length} values.", nameof(b));
            double meanA = 0, meanB = 0;
            for (int i = 0; i < a.Length; i++)
            {
                meanA += a[i];
                meanB += b[i];
            }

            meanA /= a.Length;
            meanB /= b.Length;
            double sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double da = a[i] - meanA, db = b[i] - meanB;
                sab += da * db;
                saa += da * da;
                sbb += db * db;
            }

            return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
        }
    }
}
