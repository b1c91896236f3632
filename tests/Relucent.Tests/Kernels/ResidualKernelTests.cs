using System.Numerics;
using System.Runtime.InteropServices;
using Relucent.Kernels;
using Relucent.Model;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// <see cref="ResidualKernels"/> against the two passes they replace (<see cref="ElementwiseKernels.Add{T}"/> then
    /// <see cref="ActivationKernels.Relu{T}"/> or <see cref="ReluRules"/>), computed on the widest path: the same bits on every
    /// path, lengths around every vector width, with ±0, NaN (of two payloads, both signs), ±∞ and sums that cancel or overflow.
    /// </summary>
    /// <remarks>
    /// One sum has no fixed bits: NaN + NaN. x86 returns the first operand's payload, and the JIT may swap the operands of an
    /// addition (to fold a load into it; it treats addition as commutative), so which NaN comes out can change when a method is
    /// recompiled at a higher tier, in the two passes as in the fused one. There the result must be a NaN; everywhere else,
    /// one NaN operand included, the bits must be the same. (For all other values a + b and b + a are the same bits, so the
    /// order of the operands cannot show.)
    /// </remarks>
    public class ResidualKernelTests
    {
        private static readonly int[] Lengths = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100 };

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void AddRelu_is_Add_then_Relu_bit_for_bit_on_every_path_in_float(int width) => AddReluMatches<float>(width, seed: 1);

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void AddRelu_is_Add_then_Relu_bit_for_bit_on_every_path_in_double(int width) => AddReluMatches<double>(width, seed: 2);

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void AddRule_is_Add_then_the_rule_bit_for_bit_on_every_path_in_float(int width) => AddRuleMatches<float>(width, seed: 3);

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void AddRule_is_Add_then_the_rule_bit_for_bit_on_every_path_in_double(int width) => AddRuleMatches<double>(width, seed: 4);

        private static void AddReluMatches<T>(int width, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            foreach (int n in Lengths)
            {
                for (int round = 0; round < 4; round++)
                {
                    T[] a = Values<T>(rng, n), b = Partners(rng, a);
                    var sum = new T[n];
                    var expected = new T[n];
                    ElementwiseKernels.Add<T>(a, b, sum);
                    ActivationKernels.Relu<T>(sum, expected);

                    var fused = new T[n];
                    T[] intoA = (T[])a.Clone(), intoB = (T[])b.Clone();
                    SimdPathTests.OnPath(width, () =>
                    {
                        ResidualKernels.AddRelu<T>(a, b, fused);
                        ResidualKernels.AddRelu<T>(intoA, b, intoA);
                        ResidualKernels.AddRelu<T>(a, intoB, intoB);
                    });
                    string what = $"AddRelu<{typeof(T).Name}> width {width}, n = {n}";
                    AssertSameBits(expected, fused, what, a, b);
                    AssertSameBits(expected, intoA, what + ", into a", a, b);
                    AssertSameBits(expected, intoB, what + ", into b", a, b);
                }
            }
        }

        private static void AddRuleMatches<T>(int width, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            foreach (int n in Lengths)
            {
                for (int round = 0; round < 4; round++)
                {
                    // z is a ReLU's output in the networks (never negative), but the rules are defined for any z: test any.
                    T[] z = Values<T>(rng, n), a = Values<T>(rng, n), b = Partners(rng, a);
                    var sum = new T[n];
                    ElementwiseKernels.Add<T>(a, b, sum);
                    foreach (BackwardRule rule in Rules.All)
                    {
                        var expected = new T[n];
                        Rules.Apply<T>(Rectifier.Relu, rule, z, sum, expected);
                        var fused = new T[n];
                        T[] intoA = (T[])a.Clone(), intoB = (T[])b.Clone(), intoZ = (T[])z.Clone();
                        SimdPathTests.OnPath(width, () =>
                        {
                            AddRule(rule, z, a, b, fused);
                            AddRule(rule, z, intoA, b, intoA);
                            AddRule(rule, z, a, intoB, intoB);
                            AddRule(rule, intoZ, a, b, intoZ);
                        });
                        string what = $"AddRule<{typeof(T).Name}, {rule}> width {width}, n = {n}";
                        AssertSameBits(expected, fused, what, a, b);
                        AssertSameBits(expected, intoA, what + ", into a", a, b);
                        AssertSameBits(expected, intoB, what + ", into b", a, b);
                        AssertSameBits(expected, intoZ, what + ", into z", a, b);
                    }
                }
            }
        }

        [Fact]
        public void Wrong_lengths_and_partly_overlapping_outputs_are_refused_by_name()
        {
            var four = new float[4];
            Assert.Equal("b", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRelu<float>(four, new float[3], new float[4])).ParamName);
            Assert.Equal("y", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRelu<float>(four, four, new float[5])).ParamName);
            Assert.Equal("a", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRule<float, SaliencyRule>(four, new float[3], four, new float[4])).ParamName);
            Assert.Equal("b", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRule<float, DeconvNetRule>(four, four, new float[5], new float[4])).ParamName);
            Assert.Equal("rIn", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRule<float, GuidedBackpropRule>(four, four, four, new float[2])).ParamName);

            var buffer = new float[40];
            Assert.Equal("a", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRelu<float>(buffer.AsSpan(0, 20), new float[20], buffer.AsSpan(1, 20))).ParamName);
            Assert.Equal("b", Assert.Throws<ArgumentException>(() => ResidualKernels.AddRelu<float>(new float[20], buffer.AsSpan(3, 20), buffer.AsSpan(0, 20))).ParamName);
            Assert.Equal("z", Assert.Throws<ArgumentException>(() =>
                ResidualKernels.AddRule<float, SaliencyRule>(buffer.AsSpan(0, 20), new float[20], new float[20], buffer.AsSpan(19, 20))).ParamName);
            Assert.Equal("a", Assert.Throws<ArgumentException>(() =>
                ResidualKernels.AddRule<float, SaliencyRule>(new float[20], buffer.AsSpan(2, 20), new float[20], buffer.AsSpan(0, 20))).ParamName);
            Assert.Equal("b", Assert.Throws<ArgumentException>(() =>
                ResidualKernels.AddRule<float, SaliencyRule>(new float[20], new float[20], buffer.AsSpan(5, 20), buffer.AsSpan(0, 20))).ParamName);
        }

        private static void AddRule<T>(BackwardRule rule, ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            switch (rule)
            {
                case BackwardRule.Saliency: ResidualKernels.AddRule<T, SaliencyRule>(z, a, b, rIn); break;
                case BackwardRule.DeconvNet: ResidualKernels.AddRule<T, DeconvNetRule>(z, a, b, rIn); break;
                default: ResidualKernels.AddRule<T, GuidedBackpropRule>(z, a, b, rIn); break;
            }
        }

        // Random values in [−2, 2) with the special ones sprinkled in: ±0, NaNs of two payloads, ±∞, the smallest subnormal.
        private static T[] Values<T>(Random rng, int n) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] specials = { T.Zero, T.NegativeZero, NaN<T>(1), NaN<T>(2), T.PositiveInfinity, T.NegativeInfinity, T.Epsilon, -T.Epsilon, T.CreateSaturating(double.MaxValue) };
            return Enumerable.Range(0, n).Select(_ => rng.Next(3) == 0 ? specials[rng.Next(specials.Length)] : T.CreateChecked(rng.NextDouble() * 4 - 2)).ToArray();
        }

        // The second operand: random values, or specials, or −a (the sum cancels to +0, or −0 + −0 = −0, or ∞ − ∞ = NaN), or a itself.
        private static T[] Partners<T>(Random rng, T[] a) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] b = Values<T>(rng, a.Length);
            for (int i = 0; i < a.Length; i++)
            {
                int pick = rng.Next(4);
                if (pick == 0) b[i] = -a[i];
                else if (pick == 1) b[i] = a[i];
            }
            return b;
        }

        // A quiet NaN with the given payload, so a sum of two NaNs shows which operand came first.
        private static T NaN<T>(int payload) where T : unmanaged, IFloatingPointIeee754<T> =>
            typeof(T) == typeof(float)
                ? (T)(object)BitConverter.Int32BitsToSingle(0x7FC00000 | payload)
                : (T)(object)BitConverter.Int64BitsToDouble(0x7FF8000000000000L | (uint)payload);

        private static void AssertSameBits<T>(T[] expected, T[] actual, string what, T[] a, T[] b) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<byte> e = MemoryMarshal.AsBytes(expected.AsSpan()), x = MemoryMarshal.AsBytes(actual.AsSpan());
            int size = e.Length / expected.Length;
            for (int i = 0; i < expected.Length; i++)
            {
                bool same = T.IsNaN(a[i]) && T.IsNaN(b[i]) && T.IsNaN(expected[i])
                    ? T.IsNaN(actual[i]) // NaN + NaN: a NaN, of either operand's payload (see the remarks)
                    : e.Slice(i * size, size).SequenceEqual(x.Slice(i * size, size));
                if (!same) Assert.Fail($"{what}: [{i}] = {Hex(actual[i])}, expected {Hex(expected[i])} (a = {Hex(a[i])}, b = {Hex(b[i])})");
            }
        }

        private static string Hex<T>(T value) where T : unmanaged, IFloatingPointIeee754<T> =>
            $"{value} ({Convert.ToHexString(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)))})";
    }
}
