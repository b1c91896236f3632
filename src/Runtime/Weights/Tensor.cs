using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Relucent
{
    /// <summary>
    /// A named parameter's data as a file holds it: an element type, a C-order shape and little-endian bytes.
    /// Conversions to the network's precision happen on request, so a float64 file loads exactly into a
    /// double-precision network and rounds once into a float32 one.
    /// </summary>
    /// <remarks>A tensor is immutable: it keeps its own copy of the shape and the bytes it is given.</remarks>
    public sealed class Tensor
    {
        private readonly int[] _shape;
        private readonly byte[] _data;

        /// <summary>A tensor over raw little-endian <paramref name="data"/> (copied), C-order <paramref name="shape"/>.</summary>
        /// <exception cref="ArgumentException">A negative dimension, or <paramref name="data"/> is not product(shape) × element size bytes long.</exception>
        public Tensor(DType dtype, int[] shape, byte[] data)
            : this(dtype, (int[])(shape ?? throw new ArgumentNullException(nameof(shape))).Clone(),
                   (byte[])(data ?? throw new ArgumentNullException(nameof(data))).Clone(), owned: true)
        {
        }

        /// <summary>Takes ownership of <paramref name="shape"/> and <paramref name="data"/> without copying them.</summary>
        internal Tensor(DType dtype, int[] shape, byte[] data, bool owned)
        {
            _ = owned;
            int elementSize = dtype.ElementSize();
            long count = CountElements(shape, nameof(shape));
            long expected = count * elementSize;
            if (data.LongLength != expected)
            {
                throw new ArgumentException(
                    $"A {dtype.Name()} tensor of shape {FormatShape(shape)} needs {count} × {elementSize} = {expected} bytes; got {data.LongLength}.",
                    nameof(data));
            }

            DType = dtype;
            _shape = shape;
            _data = data;
            ElementCount = count;
        }

        /// <summary>The element type.</summary>
        public DType DType { get; }

        /// <summary>The C-order shape.</summary>
        public IReadOnlyList<int> Shape => _shape;

        /// <summary>The number of dimensions (0 for a scalar).</summary>
        public int Rank => _shape.Length;

        /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
        public long ElementCount { get; }

        /// <summary>The raw little-endian bytes, C-order.</summary>
        public ReadOnlySpan<byte> Bytes => _data;

        /// <summary>The raw little-endian bytes as memory, for APIs that cannot take a span.</summary>
        public ReadOnlyMemory<byte> Memory => _data;

        /// <summary>The number of bytes: <see cref="ElementCount"/> × the element size.</summary>
        public int ByteLength => _data.Length;

        /// <summary>A copy of the shape.</summary>
        public int[] GetShape() => (int[])_shape.Clone();

        /// <summary>A float32 tensor.</summary>
        public static Tensor FromSingle(float[] values, params int[] shape)
        {
            ArgumentNullException.ThrowIfNull(values);
            int[] s = CheckShape(values.Length, shape);
            byte[] data = new byte[checked(values.Length * 4)];
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(data);
            else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
            return new Tensor(DType.F32, s, data, owned: true);
        }

        /// <summary>A float64 tensor.</summary>
        public static Tensor FromDouble(double[] values, params int[] shape)
        {
            ArgumentNullException.ThrowIfNull(values);
            int[] s = CheckShape(values.Length, shape);
            byte[] data = new byte[checked(values.Length * 8)];
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(data);
            else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), values[i]);
            return new Tensor(DType.F64, s, data, owned: true);
        }

        /// <summary>A float16 tensor.</summary>
        public static Tensor FromHalf(Half[] values, params int[] shape)
        {
            ArgumentNullException.ThrowIfNull(values);
            int[] s = CheckShape(values.Length, shape);
            byte[] data = new byte[checked(values.Length * 2)];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(i * 2), values[i]);
            return new Tensor(DType.F16, s, data, owned: true);
        }

        /// <summary>An int64 tensor.</summary>
        public static Tensor FromInt64(long[] values, params int[] shape)
        {
            ArgumentNullException.ThrowIfNull(values);
            int[] s = CheckShape(values.Length, shape);
            byte[] data = new byte[checked(values.Length * 8)];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), values[i]);
            return new Tensor(DType.I64, s, data, owned: true);
        }

        /// <summary>An int32 tensor.</summary>
        public static Tensor FromInt32(int[] values, params int[] shape)
        {
            ArgumentNullException.ThrowIfNull(values);
            int[] s = CheckShape(values.Length, shape);
            byte[] data = new byte[checked(values.Length * 4)];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), values[i]);
            return new Tensor(DType.I32, s, data, owned: true);
        }

        /// <summary>The values converted to float32, C-order (float64 and int64 round to nearest, ties to even).</summary>
        public float[] ToSingle() => Convert<float>(DType.F32);

        /// <summary>The values converted to float64, C-order (exact, except int64 beyond 2^53, which rounds to nearest).</summary>
        public double[] ToDouble() => Convert<double>(DType.F64);

        /// <summary>
        /// The values as <typeparamref name="T"/>: a byte copy when the file already holds <paramref name="same"/> (on a
        /// little-endian machine), otherwise one conversion per value, rounding once to nearest (ties to even).
        /// </summary>
        private T[] Convert<T>(DType same) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<byte> b = _data;
            T[] result = new T[ElementCount];
            if (DType == same && BitConverter.IsLittleEndian)
            {
                b.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
                return result;
            }
            // One loop per element type, so the type is tested once, not per value.
            switch (DType)
            {
                case DType.F32:
                    for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(b[(i * 4)..]));
                    break;
                case DType.F64:
                    for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(b[(i * 8)..]));
                    break;
                case DType.F16:
                    for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(BinaryPrimitives.ReadHalfLittleEndian(b[(i * 2)..]));
                    break;
                case DType.BF16:
                    for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(BFloat16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 2)..])));
                    break;
                case DType.I64:
                    for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(BinaryPrimitives.ReadInt64LittleEndian(b[(i * 8)..]));
                    break;
                case DType.I32:
                    for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]));
                    break;
            }

            return result;
        }

        /// <summary>Integer tensors (I64/I32) as long.</summary>
        /// <exception cref="InvalidOperationException">The tensor holds floating-point values.</exception>
        public long[] ToInt64()
        {
            ReadOnlySpan<byte> b = _data;
            long[] result = new long[ElementCount];
            switch (DType)
            {
                case DType.I64:
                    for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(b[(i * 8)..]);
                    break;
                case DType.I32:
                    for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]);
                    break;
                default:
                    throw new InvalidOperationException(
                        $"ToInt64 reads integer tensors (I64, I32); this tensor is {DType.Name()} {FormatShape(_shape)}. Use ToSingle or ToDouble for floating-point values.");
            }

            return result;
        }

        /// <summary><see cref="ToSingle"/> or <see cref="ToDouble"/>, by <typeparamref name="T"/>.</summary>
        /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
        public T[] ToArray<T>()
        {
            if (typeof(T) == typeof(float)) return (T[])(object)ToSingle();
            if (typeof(T) == typeof(double)) return (T[])(object)ToDouble();
            throw new NotSupportedException(
                $"Tensor.ToArray<{typeof(T).FullName}>: the element type must be float (System.Single) or double (System.Double); use ToInt64 for integers.");
        }

        /// <summary>
        /// This tensor's values as <paramref name="dtype"/>, same shape. Floating-point targets round to nearest (ties
        /// to even) from the exact value; integer targets accept only integer tensors and fail on overflow.
        /// </summary>
        /// <exception cref="InvalidOperationException">A floating-point tensor converted to an integer type.</exception>
        /// <exception cref="OverflowException">An int64 value that does not fit int32.</exception>
        public Tensor ConvertTo(DType dtype)
        {
            if (dtype == DType) return this;
            int n = checked((int)ElementCount);
            byte[] data = new byte[checked(n * dtype.ElementSize())];
            Span<byte> o = data;
            switch (dtype)
            {
                case DType.F64:
                {
                    double[] v = ToDouble();
                    for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(o[(i * 8)..], v[i]);
                    break;
                }

                case DType.F32:
                {
                    float[] v = ToSingle(); // (float)double and (float)long round once, to nearest even
                    for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(o[(i * 4)..], v[i]);
                    break;
                }

                case DType.F16:
                {
                    // Half from double rounds once, correctly; every supported dtype but int64 is exact as a double.
                    if (DType == DType.I64)
                    {
                        long[] v = ToInt64();
                        for (int i = 0; i < n; i++) BinaryPrimitives.WriteHalfLittleEndian(o[(i * 2)..], (Half)v[i]);
                    }
                    else
                    {
                        double[] v = ToDouble();
                        for (int i = 0; i < n; i++) BinaryPrimitives.WriteHalfLittleEndian(o[(i * 2)..], (Half)v[i]);
                    }

                    break;
                }

                case DType.BF16:
                {
                    if (DType == DType.F64)
                    {
                        double[] v = ToDouble();
                        for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(o[(i * 2)..], BFloat16.FromDouble(v[i]));
                    }
                    else if (DType == DType.I64)
                    {
                        long[] v = ToInt64();
                        for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(o[(i * 2)..], BFloat16.FromInt64(v[i]));
                    }
                    else
                    {
                        // F32 and F16 are exact as float32; int32 is exact as float64.
                        double[] v = ToDouble();
                        for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(o[(i * 2)..], BFloat16.FromDouble(v[i]));
                    }

                    break;
                }

                case DType.I64:
                {
                    long[] v = ToInt64();
                    for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt64LittleEndian(o[(i * 8)..], v[i]);
                    break;
                }

                case DType.I32:
                {
                    long[] v = ToInt64();
                    for (int i = 0; i < n; i++)
                    {
                        if (v[i] is < int.MinValue or > int.MaxValue)
                        {
                            throw new OverflowException($"Element {i} ({v[i]}) of this I64 tensor does not fit in I32.");
                        }

                        BinaryPrimitives.WriteInt32LittleEndian(o[(i * 4)..], (int)v[i]);
                    }

                    break;
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"Not a supported dtype; supported: {DTypes.SupportedNames}.");
            }

            return new Tensor(dtype, _shape, data, owned: true);
        }

        /// <summary>Whether <paramref name="other"/> has the same dtype, shape and bytes (bit-identical).</summary>
        public bool ContentEquals(Tensor? other) =>
            other is not null && other.DType == DType && other._shape.AsSpan().SequenceEqual(_shape) && other._data.AsSpan().SequenceEqual(_data);

        /// <summary><c>F32 [16, 8]</c>.</summary>
        public override string ToString() => $"{DType.Name()} {FormatShape(_shape)}";

        /// <summary>A shape as messages write it: <c>[120, 400]</c>, <c>[]</c> for a scalar.</summary>
        public static string FormatShape(IEnumerable<int> shape) =>
            "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

        private static long CountElements(int[] shape, string paramName)
        {
            long count = 1;
            foreach (int d in shape)
            {
                if (d < 0) throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension.", paramName);
            }

            foreach (int d in shape)
            {
                if (d == 0) return 0;
            }

            foreach (int d in shape)
            {
                if (count > Array.MaxLength / d) throw new ArgumentException($"Shape {FormatShape(shape)} has more elements than an array can hold.", paramName);
                count *= d;
            }

            return count;
        }

        private static int[] CheckShape(int length, int[] shape)
        {
            ArgumentNullException.ThrowIfNull(shape);
            int[] s = (int[])shape.Clone();
            long count = CountElements(s, nameof(shape));
            if (count != length)
            {
                string hint = s.Length == 0 ? $" (no shape means a scalar; pass the shape, e.g. {length})" : string.Empty;
                throw new ArgumentException($"Shape {FormatShape(s)} holds {count} values; got {length}{hint}.", nameof(shape));
            }

            return s;
        }
    }

    /// <summary>bfloat16 bit patterns: the upper 16 bits of a binary32.</summary>
    internal static class BFloat16
    {
        /// <summary>Exact: a bfloat16 is a float32 with its low 16 bits zero.</summary>
        public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

        /// <summary>Round to nearest, ties to even; NaN stays a (quiet) NaN of the same sign.</summary>
        public static ushort FromSingle(float value)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
            uint lsb = (bits >> 16) & 1;
            return (ushort)((bits + 0x7FFF + lsb) >> 16);
        }

        /// <summary>Round to nearest, ties to even, once: via float32 rounded to odd, which has enough extra bits to avoid double rounding.</summary>
        public static ushort FromDouble(double value)
        {
            if (double.IsNaN(value)) return (ushort)((BitConverter.DoubleToUInt64Bits(value) >> 48) & 0x8000 | 0x7FC0);
            return FromSingle(RoundToOdd(value));
        }

        /// <summary>Round to nearest, ties to even, once.</summary>
        /// <remarks>A long may not be exact as a double: round it to 24 significant bits, to odd, with integer arithmetic.</remarks>
        public static ushort FromInt64(long value)
        {
            if (value == 0) return 0;
            bool negative = value < 0;
            ulong m = negative ? (ulong)(-(value + 1)) + 1 : (ulong)value;
            int bitLength = 64 - System.Numerics.BitOperations.LeadingZeroCount(m);
            if (bitLength > 24)
            {
                int drop = bitLength - 24;
                ulong kept = m >> drop;
                if ((m & ((1UL << drop) - 1)) != 0) kept |= 1; // sticky: round to odd
                m = kept << drop;
            }

            float f = m; // exact: at most 24 significant bits
            return FromSingle(negative ? -f : f);
        }

        private static float RoundToOdd(double value)
        {
            float f = (float)value;
            if (float.IsInfinity(f) || (double)f == value) return f;
            uint bits = BitConverter.SingleToUInt32Bits(f);
            if (Math.Abs((double)f) > Math.Abs(value)) bits--; // truncate toward zero (magnitude step down)
            return BitConverter.UInt32BitsToSingle(bits | 1);
        }
    }
}
