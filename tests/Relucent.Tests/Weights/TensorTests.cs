using System.Buffers.Binary;
using Xunit;

namespace Relucent.Tests.Weights
{
    public class TensorTests
    {
        [Fact]
        public void Constructor_checks_the_byte_count_and_names_expected_and_actual()
        {
            var e = Assert.Throws<ArgumentException>(() => new Tensor(DType.F32, [2, 3], new byte[20]));
            Assert.Contains("24", e.Message);
            Assert.Contains("20", e.Message);
            Assert.Contains("[2, 3]", e.Message);
        }

        [Fact]
        public void Constructor_rejects_negative_dimensions()
        {
            var e = Assert.Throws<ArgumentException>(() => new Tensor(DType.F32, [2, -1], new byte[8]));
            Assert.Contains("negative", e.Message);
        }

        [Fact]
        public void Constructor_copies_its_inputs()
        {
            int[] shape = [2];
            byte[] data = new byte[8];
            var t = new Tensor(DType.F32, shape, data);
            shape[0] = 5;
            data[0] = 0xFF;
            Assert.Equal([2], t.Shape);
            Assert.Equal(0, t.Bytes[0]);
        }

        [Fact]
        public void Conversions_round_once_to_nearest_ties_to_even()
        {
            // 2^24 + 1 lies halfway between two floats: it rounds to the even one, 2^24, in one step.
            Assert.Equal(16777216f, Tensor.FromInt64([16777217L], 1).ToSingle()[0]);
            Assert.Equal(16777220f, Tensor.FromInt64([16777219L], 1).ToSingle()[0]); // halfway again: up, to the even 2^24 + 4
            // 2^53 + 1 in float64, and an int64 that float64 holds exactly.
            Assert.Equal(9007199254740992d, Tensor.FromInt64([9007199254740993L], 1).ToDouble()[0]);
            Assert.Equal(-123456789d, Tensor.FromInt32([-123456789], 1).ToDouble()[0]);
            // 1 + 2^-24 in float64 is halfway between 1 and the next float: ties to even gives 1.
            Assert.Equal(1f, Tensor.FromDouble([1 + Math.Pow(2, -24)], 1).ToSingle()[0]);
            Assert.Equal(float.PositiveInfinity, Tensor.FromDouble([1e300], 1).ToSingle()[0]);
            // Half and float32 widen exactly.
            Assert.Equal(0.333251953125, Tensor.FromHalf([(Half)(1.0 / 3)], 1).ToDouble()[0]);
            Assert.Equal((double)0.1f, Tensor.FromSingle([0.1f], 1).ToDouble()[0]);
        }

        [Fact]
        public void Scalar_has_one_element()
        {
            var t = new Tensor(DType.F64, [], BitConverter.GetBytes(2.5));
            Assert.Equal(1, t.ElementCount);
            Assert.Equal(0, t.Rank);
            Assert.Equal([2.5], t.ToDouble());
        }

        [Fact]
        public void Empty_dimension_has_no_elements()
        {
            var t = new Tensor(DType.F32, [3, 0], []);
            Assert.Equal(0, t.ElementCount);
            Assert.Empty(t.ToSingle());
        }

        [Fact]
        public void FromSingle_stores_little_endian_floats_and_reads_them_back()
        {
            float[] values = [1f, -2.5f, float.NaN, float.PositiveInfinity, 1e-40f, 3.14159f];
            var t = Tensor.FromSingle(values, 2, 3);
            Assert.Equal(DType.F32, t.DType);
            Assert.Equal([2, 3], t.Shape);
            Assert.Equal(6, t.ElementCount);
            Assert.Equal(24, t.ByteLength);
            Assert.Equal(BitConverter.SingleToInt32Bits(-2.5f), BinaryPrimitives.ReadInt32LittleEndian(t.Bytes[4..]));
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), t.ToSingle().Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(values.Select(v => (double)v), t.ToDouble());
        }

        [Fact]
        public void FromSingle_without_a_shape_is_a_scalar_and_a_wrong_shape_fails()
        {
            Assert.Empty(Tensor.FromSingle([1f]).Shape);
            Assert.Empty(Tensor.FromDouble([1.0], []).Shape);
            Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => Tensor.FromSingle([1f, 2f, 3f])).Message);
            var e = Assert.Throws<ArgumentException>(() => Tensor.FromSingle([1f, 2f, 3f], 2, 2));
            Assert.Contains("[2, 2]", e.Message);
            Assert.Contains("3", e.Message);
        }

        [Fact]
        public void F64_to_F32_rounds_to_nearest()
        {
            // 1 + 2^-24 is a tie between 1 and 1 + 2^-23: ties to even gives 1; just above the tie rounds up.
            double tie = 1 + Math.Pow(2, -24);
            double above = tie + Math.Pow(2, -40);
            var t = Tensor.FromDouble([0.1, tie, above, 1e300, -1e-300], 5);
            float[] f = t.ToSingle();
            Assert.Equal(0.1f, f[0]);
            Assert.Equal(1f, f[1]);
            Assert.Equal(1f + MathF.Pow(2, -23), f[2]);
            Assert.Equal(float.PositiveInfinity, f[3]);
            Assert.Equal(-0f, f[4]);
            Assert.True(float.IsNegative(f[4]));
            Assert.Equal([0.1, tie, above, 1e300, -1e-300], t.ToDouble());
        }

        [Fact]
        public void F16_converts_through_System_Half_exactly()
        {
            Half[] values = [(Half)1.5f, (Half)(-0.000061035156f), Half.MaxValue, Half.Epsilon, Half.NegativeInfinity];
            var t = Tensor.FromHalf(values, 5);
            Assert.Equal(DType.F16, t.DType);
            Assert.Equal(10, t.ByteLength);
            Assert.Equal(0x3E00, BinaryPrimitives.ReadUInt16LittleEndian(t.Bytes)); // 1.5
            Assert.Equal(values.Select(v => (float)v), t.ToSingle());
            Assert.Equal(65504.0, t.ToDouble()[2]);
            Assert.Equal(Math.Pow(2, -24), t.ToDouble()[3]);
        }

        [Fact]
        public void BF16_is_the_upper_half_of_a_float32()
        {
            // 0x3F80 = 1.0, 0xC049 = -3.140625, 0x0001 = the smallest subnormal, 0x7F80 = +inf, 0x7FC0 = NaN.
            byte[] data = [0x80, 0x3F, 0x49, 0xC0, 0x01, 0x00, 0x80, 0x7F, 0xC0, 0x7F];
            var t = new Tensor(DType.BF16, [5], data);
            float[] f = t.ToSingle();
            Assert.Equal(1f, f[0]);
            Assert.Equal(-3.140625f, f[1]);
            Assert.Equal(BitConverter.Int32BitsToSingle(0x00010000), f[2]);
            Assert.Equal(float.PositiveInfinity, f[3]);
            Assert.True(float.IsNaN(f[4]));
            Assert.Equal(-3.140625, t.ToDouble()[1]);
        }

        [Fact]
        public void ConvertTo_BF16_rounds_to_nearest_even_once()
        {
            float ulp = MathF.Pow(2, -7);
            var t = Tensor.FromSingle([1f + (ulp / 2), 1f + (3 * ulp / 2), -3.14159265f, float.MaxValue, float.NaN], 5).ConvertTo(DType.BF16);
            Assert.Equal(DType.BF16, t.DType);
            ushort[] bits = Enumerable.Range(0, 5).Select(i => BinaryPrimitives.ReadUInt16LittleEndian(t.Bytes[(i * 2)..])).ToArray();
            Assert.Equal(0x3F80, bits[0]); // tie to even: 1.0
            Assert.Equal(0x3F82, bits[1]); // tie to even: 1 + 2^-6
            Assert.Equal(0xC049, bits[2]);
            Assert.Equal(0x7F80, bits[3]); // overflows to +inf
            Assert.True(float.IsNaN(t.ToSingle()[4]));

            // Just above a tie in float64 but a tie after rounding to float32: a correct conversion rounds up.
            double above = 1 + Math.Pow(2, -8) + Math.Pow(2, -40);
            var d = Tensor.FromDouble([above, -above], 2).ConvertTo(DType.BF16);
            Assert.Equal(0x3F81, BinaryPrimitives.ReadUInt16LittleEndian(d.Bytes));
            Assert.Equal(0xBF81, BinaryPrimitives.ReadUInt16LittleEndian(d.Bytes[2..]));

            // int64 beyond 2^53: the sticky bit of the exact integer decides.
            long big = (1L << 60) + (1L << 52) + 1; // just above the tie between 2^60 and 2^60 + 2^53
            var i64 = Tensor.FromInt64([big], 1).ConvertTo(DType.BF16);
            Assert.Equal((double)((1L << 60) + (1L << 53)), i64.ToDouble()[0]);
        }

        [Fact]
        public void ConvertTo_F16_and_back_and_between_integers()
        {
            var h = Tensor.FromDouble([0.1, 70000, -2], 3).ConvertTo(DType.F16);
            Assert.Equal([(float)(Half)0.1, float.PositiveInfinity, -2f], h.ToSingle());
            var i32 = Tensor.FromInt64([5, -7], 2).ConvertTo(DType.I32);
            Assert.Equal(DType.I32, i32.DType);
            Assert.Equal([5L, -7L], i32.ToInt64());
            Assert.Throws<OverflowException>(() => Tensor.FromInt64([1L << 40], 1).ConvertTo(DType.I32));
            Assert.Throws<InvalidOperationException>(() => Tensor.FromSingle([1f], 1).ConvertTo(DType.I64));
            Assert.Same(h, h.ConvertTo(DType.F16));
        }

        [Fact]
        public void Integer_tensors_convert_to_floats_and_to_long()
        {
            var t = Tensor.FromInt64([3, -1, long.MaxValue], 3);
            Assert.Equal([3L, -1L, long.MaxValue], t.ToInt64());
            Assert.Equal([3.0, -1.0, 9.2233720368547758E+18], t.ToDouble());
            Assert.Equal([3f, -1f, 9.223372E+18f], t.ToSingle());
            var i = Tensor.FromInt32([int.MinValue, 7], 2);
            Assert.Equal([(long)int.MinValue, 7L], i.ToInt64());
            Assert.Equal([(double)int.MinValue, 7.0], i.ToArray<double>());
        }

        [Fact]
        public void ToInt64_of_a_float_tensor_fails_clearly()
        {
            var e = Assert.Throws<InvalidOperationException>(() => Tensor.FromSingle([1f, 2f], 2).ToInt64());
            Assert.Contains("F32", e.Message);
            Assert.Contains("integer", e.Message);
        }

        [Fact]
        public void ToArray_supports_float_and_double_only()
        {
            var t = Tensor.FromDouble([0.1, 0.2], 2);
            Assert.Equal([0.1f, 0.2f], t.ToArray<float>());
            Assert.Equal([0.1, 0.2], t.ToArray<double>());
            var e = Assert.Throws<NotSupportedException>(() => t.ToArray<int>());
            Assert.Contains("System.Int32", e.Message);
            Assert.Throws<NotSupportedException>(() => t.ToArray<decimal>());
        }

        [Fact]
        public void DTypes_sizes_and_names()
        {
            Assert.Equal([4, 8, 2, 2, 8, 4], DTypes.Supported.Select(d => d.ElementSize()));
            Assert.Equal("F32, F64, F16, BF16, I64, I32", DTypes.SupportedNames);
            Assert.True(DTypes.TryParse("BF16", out DType bf));
            Assert.Equal(DType.BF16, bf);
            Assert.False(DTypes.TryParse("bf16", out _));
            Assert.True(DType.F16.IsFloatingPoint());
            Assert.False(DType.I32.IsFloatingPoint());
            Assert.Equal("F32 [16, 8]", new Tensor(DType.F32, [16, 8], new byte[512]).ToString());
        }

        [Fact]
        public void ParameterShape_compares_dimensions_by_value()
        {
            Assert.Equal(new ParameterShape("a", 2, 3), new ParameterShape("a", 2, 3));
            Assert.NotEqual(new ParameterShape("a", 2, 3), new ParameterShape("a", 3, 2));
            Assert.Equal(new ParameterShape("a", 2, 3).GetHashCode(), new ParameterShape("a", 2, 3).GetHashCode());
            Assert.Equal("fc1.weight [120, 400]", new ParameterShape("fc1.weight", 120, 400).ToString());
            Assert.Equal(48000, new ParameterShape("fc1.weight", 120, 400).ElementCount);
        }
    }
}
