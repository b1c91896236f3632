using System.Numerics;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>Random data, precision conversions and tolerance checks shared by the kernel and interpreter tests.</summary>
    public static class Numerics
    {
        /// <summary>
        /// <paramref name="count"/> random cases, times the RELUCENT_TEST_SCALE environment variable when set
        /// (a stress run for flakiness: <c>RELUCENT_TEST_SCALE=1000 dotnet test ...</c>).
        /// </summary>
        public static int Iterations(int count) =>
            int.TryParse(Environment.GetEnvironmentVariable("RELUCENT_TEST_SCALE"), out int scale) && scale > 0 ? count * scale : count;

        /// <summary>
        /// Asserts that <paramref name="calls"/> calls of <paramref name="action"/> after a first one allocate nothing on this
        /// thread: on this thread alone, then shared with helper threads (started beforehand: starting them allocates). The
        /// thread counts are set for this thread only, so tests running meanwhile are not affected.
        /// </summary>
        /// <remarks>A one-off allocation of the runtime cannot fail it, an allocation per call cannot pass it (see <see cref="Relucent.Testing.Allocations"/>).</remarks>
        public static void AssertAllocatesNothing(Action action, int calls)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Relucent.Kernels.KernelParallelism.StartHelpers(threads);
                using var scope = Relucent.Kernels.KernelParallelism.Override(threads, minimumWork: 0);
                action();
                long least = Relucent.Testing.Allocations.LeastPerWindow(action, calls);
                Assert.True(least == 0, $"{least} bytes or more allocated by every window of {calls} calls on {threads} thread(s) after the first.");
            }
        }

        /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
        public static double[] Uniform(Random rng, int count, double low = -1, double high = 1)
        {
            var values = new double[count];
            for (int i = 0; i < count; i++) values[i] = low + (high - low) * rng.NextDouble();
            return values;
        }

        /// <summary>Rounds each value to <typeparamref name="T"/>.</summary>
        public static T[] To<T>(double[] values) where T : unmanaged, IFloatingPointIeee754<T> =>
            values.Select(T.CreateChecked).ToArray();

        /// <summary>Widens each value to double (exact).</summary>
        public static double[] ToDouble<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var result = new double[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = double.CreateChecked(values[i]);
            return result;
        }

        /// <summary>The values <typeparamref name="T"/> can hold nearest to <paramref name="values"/>, as doubles.</summary>
        public static double[] Representable<T>(double[] values) where T : unmanaged, IFloatingPointIeee754<T> => ToDouble<T>(To<T>(values));

        /// <summary>A C-order <c>[rows, cols]</c> matrix in column-major order: element (o, j) at j·rows + o.</summary>
        public static double[] ColumnMajor(double[] cOrder, int rows, int cols)
        {
            var result = new double[cOrder.Length];
            for (int o = 0; o < rows; o++)
            {
                for (int j = 0; j < cols; j++) result[j * rows + o] = cOrder[o * cols + j];
            }
            return result;
        }

        /// <summary><paramref name="forFloat"/> or <paramref name="forDouble"/>, by <typeparamref name="T"/>.</summary>
        public static double Tolerance<T>(double forFloat, double forDouble) => typeof(T) == typeof(float) ? forFloat : forDouble;

        public static double MaxAbs(ReadOnlySpan<double> values)
        {
            double max = 0;
            foreach (double v in values) max = Math.Max(max, Math.Abs(v));
            return max;
        }

        /// <summary>
        /// Asserts <c>|expected − actual| ≤ relative · max|expected|</c> element-wise (with a floor of
        /// <paramref name="floor"/> on the scale, for maps that are all zero), naming the first offending element.
        /// </summary>
        public static void AssertClose<T>(double[] expected, ReadOnlySpan<T> actual, double relative, string what, double floor = 1e-30)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
            double scale = Math.Max(MaxAbs(expected), floor);
            double bound = relative * scale;
            for (int i = 0; i < expected.Length; i++)
            {
                double got = double.CreateChecked(actual[i]);
                double error = Math.Abs(got - expected[i]);
                if (!(error <= bound))
                {
                    Assert.Fail($"{what}[{i}] = {got:R}, expected {expected[i]:R} (error {error:E3} > {bound:E3} = {relative:E1} × max |expected| {scale:E3})");
                }
            }
        }

        /// <summary>
        /// Asserts that each <paramref name="actual"/> value is within rounding of <paramref name="expected"/>, a sum of at most
        /// <paramref name="terms"/> scaled terms: <c>|expected − actual| ≤ 2·(terms + 3)·u·magnitude</c> element-wise, with
        /// <c>u</c> the unit roundoff of <typeparamref name="T"/> and <paramref name="magnitude"/> the same sums taken over the
        /// terms' absolute values (the classical bound on a recursive sum, doubled for the double-precision reference's own
        /// rounding, three more for a reciprocal and a scale). A bound that is proved cannot fail on a correct kernel, whatever
        /// sizes the generator draws; a tolerance relative to the largest value can (a sum of 264 terms that nearly cancel).
        /// </summary>
        public static void AssertWithinRoundingOfSums<T>(double[] expected, double[] magnitude, int terms, ReadOnlySpan<T> actual, string what)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
            double u = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
            for (int i = 0; i < expected.Length; i++)
            {
                double got = double.CreateChecked(actual[i]);
                double error = Math.Abs(got - expected[i]), bound = 2 * (terms + 3) * u * magnitude[i];
                if (!(error <= bound))
                {
                    Assert.Fail($"{what}[{i}] = {got:R}, expected {expected[i]:R} (error {error:E3} > {bound:E3}, the rounding bound of a sum of {terms} terms of absolute sum {magnitude[i]:E3})");
                }
            }
        }

        /// <summary>Asserts bit-for-bit equality.</summary>
        public static void AssertIdentical<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
            {
                bool same = expected[i].Equals(actual[i]); // bitwise for non-NaN; NaN equals NaN
                if (!same) Assert.Fail($"{what}[{i}] = {actual[i]}, expected exactly {expected[i]}");
            }
        }
    }
}
