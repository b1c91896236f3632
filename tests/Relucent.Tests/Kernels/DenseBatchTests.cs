using System.Numerics;
using Relucent.Kernels;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// <see cref="DenseKernels.ForwardBatch{T}"/> and <see cref="DenseKernels.BackwardInputBatch{T}"/> against one call of the
    /// single-example kernels per row, bit for bit (signed zeros and all), on every SIMD path, on one thread and on two
    /// (the settings of this thread only): wide and narrow layers, sizes that are not multiples of a vector or of the
    /// batch kernels' blocks of columns, inputs with many exact zeros in a different pattern in each example (one
    /// example all zero), with and without bias, each rectifier.
    /// </summary>
    public class DenseBatchTests
    {
        // (inputs, outputs): wide layers (more than 8 vectors of outputs on the 512-bit path: 1000, 4096, 129) over more than
        // one block of columns (64 or 256 forward, 16 or 64 backward in float), narrow ones (100, 7), a single input.
        private static readonly (int Inputs, int Outputs)[] Shapes = { (700, 1000), (150, 4096), (530, 129), (300, 100), (37, 7), (1, 129), (3, 1000) };

        private static readonly int[] Examples = { 1, 2, 3, 8, 13 };

        private static readonly (bool Bias, Rectifier Rectifier)[] Epilogues =
        {
            (true, Rectifier.None), (false, Rectifier.Relu), (true, Rectifier.Relu6), (false, Rectifier.None), (true, Rectifier.Relu), (false, Rectifier.Relu6),
        };

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Every_row_has_the_bits_of_the_single_example_kernels_in_float(int width) => SimdPathTests.OnPath(width, CheckAll<float>);

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Every_row_has_the_bits_of_the_single_example_kernels_in_double(int width) => SimdPathTests.OnPath(width, CheckAll<double>);

        private static void CheckAll<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            int seed = 0;
            for (int s = 0; s < Shapes.Length; s++)
            {
                for (int n = 0; n < Examples.Length; n++)
                {
                    var (bias, rectifier) = Epilogues[(s + n) % Epilogues.Length];
                    Check<T>(Shapes[s].Inputs, Shapes[s].Outputs, Examples[n], bias, rectifier, ++seed);
                }
            }
        }

        private static void Check<T>(int inputs, int outputs, int examples, bool withBias, Rectifier rectifier, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            T[] x = Inputs<T>(rng, inputs, examples);
            T[] weight = Values<T>(rng, inputs * outputs);
            T[] bias = withBias ? Values<T>(rng, outputs) : Array.Empty<T>();
            T[] dy = Values<T>(rng, examples * outputs);
            string what = $"{inputs}→{outputs}, {examples} examples, bias {withBias}, {rectifier}";

            // The reference: one call of the single-example kernels per row, on this thread alone.
            var y = new T[examples * outputs];
            var dx = new T[examples * inputs];
            using (KernelParallelism.Override(threads: 1))
            {
                for (int e = 0; e < examples; e++)
                {
                    DenseKernels.Forward<T>(x.AsSpan(e * inputs, inputs), weight, bias, y.AsSpan(e * outputs, outputs), inputs, outputs, rectifier);
                    DenseKernels.BackwardInput<T>(dy.AsSpan(e * outputs, outputs), weight, dx.AsSpan(e * inputs, inputs), inputs, outputs);
                }
            }

            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                // Filled with NaN: every value must be written.
                var batchY = new T[examples * outputs];
                batchY.AsSpan().Fill(T.NaN);
                DenseKernels.ForwardBatch<T>(x, weight, bias, batchY, inputs, outputs, examples, rectifier);
                AssertSameBits(y, batchY, outputs, $"y of {what}, {threads} thread(s)");

                var batchDx = new T[examples * inputs];
                batchDx.AsSpan().Fill(T.NaN);
                DenseKernels.BackwardInputBatch<T>(dy, weight, batchDx, inputs, outputs, examples);
                AssertSameBits(dx, batchDx, inputs, $"dx of {what}, {threads} thread(s)");
            }
        }

        /// <summary>
        /// Rows of inputs like a ReLU's outputs, each with its own zeros: example 0 about a tenth zero, later ones more, example
        /// 1 all zero (+0 and −0), so a zero-skipping list that leaked from one example into another would change its sums.
        /// </summary>
        private static T[] Inputs<T>(Random rng, int inputs, int examples) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] x = Values<T>(rng, examples * inputs);
            for (int e = 0; e < examples; e++)
            {
                double zeros = e == 1 ? 1 : 0.1 + 0.8 * e / examples;
                for (int i = 0; i < inputs; i++)
                {
                    if (rng.NextDouble() < zeros) x[e * inputs + i] = rng.Next(2) == 0 ? T.Zero : T.NegativeZero;
                }
            }
            return x;
        }

        /// <summary>Values of both signs over magnitudes from 2⁻⁸ to 2⁸, some of them large enough for ReLU6 to clip.</summary>
        private static T[] Values<T>(Random rng, int count) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var values = new T[count];
            for (int i = 0; i < count; i++) values[i] = T.CreateChecked((2 * rng.NextDouble() - 1) * Math.ScaleB(1, rng.Next(-8, 9)));
            return values;
        }

        private static void AssertSameBits<T>(T[] expected, T[] actual, int row, string what) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < expected.Length; i++)
            {
                if (Bits(expected[i]) != Bits(actual[i]))
                {
                    Assert.Fail($"{what}: example {i / row}, value {i % row} is {actual[i]} (bits {Hex(actual[i])}), one call per example gives {expected[i]} (bits {Hex(expected[i])}).");
                }
            }
        }

        private static long Bits<T>(T value) where T : unmanaged, IFloatingPointIeee754<T> => value switch
        {
            float f => BitConverter.SingleToInt32Bits(f),
            double d => BitConverter.DoubleToInt64Bits(d),
            _ => throw new NotSupportedException(typeof(T).Name),
        };

        private static string Hex<T>(T value) where T : unmanaged, IFloatingPointIeee754<T> =>
            value is float f ? BitConverter.SingleToUInt32Bits(f).ToString("X8") : Bits(value).ToString("X16");

        [Fact]
        public void Wrong_lengths_and_example_counts_name_the_argument()
        {
            // 3 inputs, 2 outputs, 2 examples.
            var weight = new double[6];
            var bias = new double[2];
            AssertNames<ArgumentException>("x", () => DenseKernels.ForwardBatch<double>(new double[3], weight, bias, new double[4], 3, 2, 2));
            AssertNames<ArgumentException>("y", () => DenseKernels.ForwardBatch<double>(new double[6], weight, bias, new double[2], 3, 2, 2));
            AssertNames<ArgumentException>("bias", () => DenseKernels.ForwardBatch<double>(new double[6], weight, new double[4], new double[4], 3, 2, 2));
            AssertNames<ArgumentException>("weight", () => DenseKernels.ForwardBatch<double>(new double[6], new double[5], bias, new double[4], 3, 2, 2));
            AssertNames<ArgumentOutOfRangeException>("examples", () => DenseKernels.ForwardBatch<double>(new double[6], weight, bias, new double[4], 3, 2, 0));
            AssertNames<ArgumentOutOfRangeException>("examples", () => DenseKernels.ForwardBatch<double>(new double[6], weight, bias, new double[4], 3, 2, -1));
            AssertNames<ArgumentOutOfRangeException>("inputs", () => DenseKernels.ForwardBatch<double>(new double[6], weight, bias, new double[4], 0, 2, 2));

            AssertNames<ArgumentException>("dy", () => DenseKernels.BackwardInputBatch<double>(new double[2], weight, new double[6], 3, 2, 2));
            AssertNames<ArgumentException>("dx", () => DenseKernels.BackwardInputBatch<double>(new double[4], weight, new double[3], 3, 2, 2));
            AssertNames<ArgumentException>("weight", () => DenseKernels.BackwardInputBatch<double>(new double[4], new double[7], new double[6], 3, 2, 2));
            AssertNames<ArgumentOutOfRangeException>("examples", () => DenseKernels.BackwardInputBatch<double>(new double[4], weight, new double[6], 3, 2, 0));
            AssertNames<ArgumentOutOfRangeException>("outputs", () => DenseKernels.BackwardInputBatch<double>(new double[4], weight, new double[6], 3, -2, 2));
        }

        private static void AssertNames<TException>(string argument, Action call) where TException : ArgumentException
        {
            var error = Assert.Throws<TException>(call);
            Assert.Equal(argument, error.ParamName);
        }
    }
}
