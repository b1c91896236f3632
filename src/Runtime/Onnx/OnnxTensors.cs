using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Onnx;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// The named tensors of an ONNX graph (its initialisers, or its <c>Constant</c> nodes' values), each read from its
    /// protobuf message the first time it is asked for and kept. A graph's import reads only the tensors its layers use,
    /// so an unused initialiser, however large or wherever its external data claims to be, is never read. Enumerating
    /// the table reads every tensor. Safe to share between threads.
    /// </summary>
    internal sealed class OnnxTensors : IReadOnlyDictionary<string, Tensor>
    {
        private readonly Dictionary<string, TensorProto> _protos;
        private readonly Dictionary<string, Tensor> _read = new(StringComparer.Ordinal);
        private readonly string? _baseDirectory;

        public OnnxTensors(Dictionary<string, TensorProto> protos, string? baseDirectory)
        {
            _protos = protos;
            _baseDirectory = baseDirectory;
        }

        public int Count => _protos.Count;

        public IEnumerable<string> Keys => _protos.Keys;

        public IEnumerable<Tensor> Values => _protos.Keys.Select(k => this[k]);

        public Tensor this[string key] => TryGetValue(key, out Tensor? value) ? value : throw new KeyNotFoundException($"The ONNX graph has no tensor '{key}'.");

        /// <summary>Whether the graph names a tensor <paramref name="key"/>, without reading it.</summary>
        public bool ContainsKey(string key) => _protos.ContainsKey(key);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value)
        {
            if (!_protos.TryGetValue(key, out TensorProto? proto))
            {
                value = null;
                return false;
            }

            lock (_read)
            {
                if (!_read.TryGetValue(key, out value))
                {
                    value = Read(proto, key, _baseDirectory);
                    _read[key] = value;
                }
            }

            return true;
        }

        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
            _protos.Keys.Select(k => new KeyValuePair<string, Tensor>(k, this[k])).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>
        /// An ONNX tensor as a <see cref="Tensor"/> with the same dims and element type, from raw, typed or external data.
        /// Its size is checked against what the message holds before anything of that size is allocated, so the memory
        /// spent is at most the bytes the file (or the external data) really holds.
        /// </summary>
        internal static Tensor Read(TensorProto t, string name, string? baseDirectory)
        {
            int[] shape = new int[t.Dims.Count];
            long count = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                long d = t.Dims[i];
                if (d < 0 || d > int.MaxValue) throw new InvalidDataException($"ONNX tensor '{name}' has the dimension {d.ToString(CultureInfo.InvariantCulture)}.");
                shape[i] = (int)d;
                count = d == 0 || count == 0 ? 0 : count > Limits.MaxElements / d ? Limits.MaxElements + 1 : count * d;
            }

            if (count > Limits.MaxElements)
            {
                throw new NotSupportedException(
                    $"ONNX tensor '{name}' {Tensor.FormatShape(shape)} holds more than the {Limits.MaxElements.ToString(CultureInfo.InvariantCulture)} values a tensor may hold (Limits.MaxElements).");
            }

            DType dtype = (TensorProto.Types.DataType)t.DataType switch
            {
                TensorProto.Types.DataType.Float => DType.F32,
                TensorProto.Types.DataType.Double => DType.F64,
                TensorProto.Types.DataType.Float16 => DType.F16,
                TensorProto.Types.DataType.Bfloat16 => DType.BF16,
                TensorProto.Types.DataType.Int64 => DType.I64,
                TensorProto.Types.DataType.Int32 => DType.I32,
                _ => throw new NotSupportedException(
                    $"ONNX tensor '{name}' has the element type {(TensorProto.Types.DataType)t.DataType}; Relucent reads float, double, float16, bfloat16, int64 and int32 tensors."),
            };

            int size = dtype.ElementSize();
            long byteCount = count * size;
            if (t.DataLocation == TensorProto.Types.DataLocation.External)
            {
                return new Tensor(dtype, shape, ExternalData.Read(t, name, baseDirectory, byteCount));
            }

            if (!t.RawData.IsEmpty)
            {
                if (t.RawData.Length != byteCount)
                {
                    throw new InvalidDataException($"ONNX tensor '{name}' {Tensor.FormatShape(shape)} {dtype.Name()} needs {byteCount} bytes of raw data; it has {t.RawData.Length}.");
                }

                return new Tensor(dtype, shape, t.RawData.ToByteArray());
            }

            int typed = dtype switch
            {
                DType.F32 => t.FloatData.Count,
                DType.F64 => t.DoubleData.Count,
                DType.I64 => t.Int64Data.Count,
                _ => t.Int32Data.Count, // int32, and float16 / bfloat16 bit patterns
            };
            if (typed != count)
            {
                throw new InvalidDataException($"ONNX tensor '{name}' {Tensor.FormatShape(shape)} holds {typed} values; its shape needs {count}.");
            }

            byte[] data = new byte[byteCount];
            Span<byte> o = data;
            for (int i = 0; i < count; i++)
            {
                switch (dtype)
                {
                    case DType.F32: BinaryPrimitives.WriteSingleLittleEndian(o[(i * 4)..], t.FloatData[i]); break;
                    case DType.F64: BinaryPrimitives.WriteDoubleLittleEndian(o[(i * 8)..], t.DoubleData[i]); break;
                    case DType.I64: BinaryPrimitives.WriteInt64LittleEndian(o[(i * 8)..], t.Int64Data[i]); break;
                    case DType.I32: BinaryPrimitives.WriteInt32LittleEndian(o[(i * 4)..], t.Int32Data[i]); break;
                    default: BinaryPrimitives.WriteUInt16LittleEndian(o[(i * 2)..], unchecked((ushort)t.Int32Data[i])); break;
                }
            }

            return new Tensor(dtype, shape, data);
        }
    }
}
