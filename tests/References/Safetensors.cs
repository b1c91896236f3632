using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>
/// Writes a safetensors file byte for byte as safetensors.torch.save_file (safetensors 0.4+) does: tensors laid out
/// sorted by dtype (descending in safetensors' Dtype order, so I64 before F64 before F32) then by name, the header a
/// compact JSON object in that order ({"dtype","shape","data_offsets"}), padded with spaces to a multiple of 8
/// bytes; no "__metadata__" (save_file's default). Little-endian, C-contiguous. Also reads such files back.
/// </summary>
public static class Safetensors
{
    /// <summary>safetensors' Dtype enum order (derive(Ord) over its declaration) for the dtypes written here.</summary>
    private static int Rank(string dtype) => dtype switch { "F32" => 0, "F64" => 1, "I64" => 2, _ => throw new NotSupportedException(dtype) };

    public static long Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var items = tensors
            .Select(t => (t.Name, Tensor: t.Tensor.detach().contiguous().cpu(), DType: StateDict.DType(t.Tensor.dtype)))
            .ToList();
        if (items.Select(i => i.Name).Distinct().Count() != items.Count) throw new ArgumentException("duplicate tensor names");
        items.Sort((a, b) => Rank(a.DType) != Rank(b.DType) ? Rank(b.DType).CompareTo(Rank(a.DType)) : string.CompareOrdinal(a.Name, b.Name));

        var header = new StringBuilder("{");
        long offset = 0;
        var blobs = new List<byte[]>();
        foreach (var (name, tensor, dtype) in items)
        {
            var bytes = tensor.bytes.ToArray();
            if (header.Length > 1) header.Append(',');
            header.Append(Json.String(name)).Append(":{\"dtype\":\"").Append(dtype).Append("\",\"shape\":[")
                .Append(string.Join(",", tensor.shape)).Append("],\"data_offsets\":[").Append(offset).Append(',')
                .Append(offset + bytes.Length).Append("]}");
            offset += bytes.Length;
            blobs.Add(bytes);
        }
        header.Append('}');
        while (Encoding.UTF8.GetByteCount(header.ToString()) % 8 != 0) header.Append(' ');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());

        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
        file.Write(headerBytes);
        foreach (var blob in blobs) file.Write(blob);
        return file.Length;
    }

    /// <summary>Reads every tensor of a safetensors file (F64, F32 and I64), by name, as CPU tensors.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: {bytes.Length} bytes, shorter than the 8-byte header length");
        long headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        if (headerLength > bytes.Length - 8) throw new InvalidDataException($"{path}: header of {headerLength} bytes runs past the end ({bytes.Length} bytes)");
        using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        long dataStart = 8 + headerLength;
        var tensors = new Dictionary<string, Tensor>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var (type, size) = dtype switch {
                "F64" => (ScalarType.Float64, 8),
                "F32" => (ScalarType.Float32, 4),
                "I64" => (ScalarType.Int64, 8),
                _ => throw new NotSupportedException($"{path}: tensor {entry.Name} has dtype {dtype}"),
            };
            if (offsets[1] - offsets[0] != count * size || dataStart + offsets[1] > bytes.Length)
                throw new InvalidDataException($"{path}: tensor {entry.Name} [{string.Join(",", shape)}] {dtype} has data_offsets [{offsets[0]}, {offsets[1]}]");
            var t = torch.empty(shape, type);
            bytes.AsSpan((int)(dataStart + offsets[0]), (int)(count * size)).CopyTo(t.bytes);
            tensors[entry.Name] = t;
        }
        return tensors;
    }
}

/// <summary>The little JSON this tool writes.</summary>
public static class Json
{
    public static string String(string s)
    {
        var b = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c == '"' || c == '\\') b.Append('\\').Append(c);
            else if (c < 0x20) b.Append($"\\u{(int)c:x4}");
            else b.Append(c);
        }
        return b.Append('"').ToString();
    }
}
