using System.Buffers.Binary;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Relucent
{
    /// <summary>Reads and writes the safetensors format (PyTorch / Hugging Face).</summary>
    /// <remarks>
    /// The format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON mapping each tensor name to
    /// <c>{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}</c> (offsets relative to the data buffer) plus
    /// an optional <c>"__metadata__"</c> object of strings, then the data buffer. Reading checks everything the
    /// reference implementation checks (header size and start, UTF-8, JSON, dtypes, shapes, offsets, sizes, and that
    /// the tensors tile the buffer with no overlap, hole or trailing byte) before it allocates any tensor.
    /// </remarks>
    public static class SafeTensors
    {
        /// <summary>The largest header accepted, in bytes (the reference implementation's limit).</summary>
        public const long MaxHeaderLength = 100_000_000;

        /// <summary>The Python line that converts a PyTorch model's weights to safetensors.</summary>
        public const string ConversionHint = "from safetensors.torch import save_file; save_file(model.state_dict(), \"model.safetensors\")";

        private const string MetadataKey = "__metadata__";

        private static readonly string[] PickleExtensions = [".pt", ".pth", ".bin", ".ckpt"];

        /// <summary>Reads every tensor of the file at <paramref name="path"/>.</summary>
        /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
        /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file, or is a pickle-based PyTorch checkpoint.</exception>
        public static SafeTensorsFile Read(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"No weights file at '{path}' (full path '{System.IO.Path.GetFullPath(path)}').", path);
            }

            bool pickleName = HasPickleExtension(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            if (pickleName)
            {
                // Decide from the first bytes before parsing anything: torch.save writes a zip or a raw pickle. A
                // safetensors file can start with the same two bytes, so it also has to lack a plausible header.
                Span<byte> prefix = stackalloc byte[9];
                int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
                bool plausible = got == 9
                    && BinaryPrimitives.ReadUInt64LittleEndian(prefix) is ulong n && n <= MaxHeaderLength && (long)n <= stream.Length - 8
                    && prefix[8] == (byte)'{';
                if (!plausible && LooksLikePickle(prefix[..got])) throw PickleError(path, null);
                stream.Position = 0;
            }

            return ReadCore(stream, path, pickleName);
        }

        /// <summary>Reads every tensor from <paramref name="stream"/>, from its current position to its end (the stream stays open).</summary>
        /// <exception cref="SafeTensorsFormatException">The stream does not hold a valid safetensors file.</exception>
        public static SafeTensorsFile Read(Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            return ReadCore(stream, null, pickleName: false);
        }

        /// <summary>Reads every tensor of a safetensors file held in <paramref name="bytes"/>.</summary>
        /// <exception cref="SafeTensorsFormatException">The bytes are not a valid safetensors file.</exception>
        public static SafeTensorsFile Read(byte[] bytes)
        {
            ArgumentNullException.ThrowIfNull(bytes);
            using var stream = new MemoryStream(bytes, writable: false);
            return ReadCore(stream, null, pickleName: false);
        }

        /// <summary>Writes <paramref name="tensors"/> (sorted by name) with optional string metadata.</summary>
        /// <remarks>The file is written next to <paramref name="path"/> and then moved over it, so a failed write leaves no half file.</remarks>
        public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(tensors);
            string full = System.IO.Path.GetFullPath(path);
            string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    Write(stream, tensors, metadata);
                }

                File.Move(temp, full, overwrite: true);
            }
            catch
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException)
                {
                    // Best effort: the original error matters more.
                }
                catch (UnauthorizedAccessException)
                {
                    // Idem.
                }

                throw;
            }
        }

        /// <summary>Writes the tensors of <paramref name="file"/> and its <see cref="SafeTensorsFile.Metadata"/>.</summary>
        public static void Write(string path, SafeTensorsFile file)
        {
            ArgumentNullException.ThrowIfNull(file);
            Write(path, file, file.Metadata);
        }

        /// <summary>Writes <paramref name="tensors"/> (sorted by name) with optional string metadata to <paramref name="stream"/> (left open).</summary>
        /// <exception cref="ArgumentException">A tensor is named <c>__metadata__</c> or is null.</exception>
        public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(tensors);
            string[] names = tensors.Keys.ToArray();
            Array.Sort(names, StringComparer.Ordinal);
            var ordered = new List<(string Name, Tensor Tensor)>(names.Length);
            foreach (string name in names)
            {
                if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved by the format and cannot name a tensor.", nameof(tensors));
                Tensor tensor = tensors[name] ?? throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
                ordered.Add((name, tensor));
            }

            byte[] header = BuildHeader(ordered, metadata);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach ((_, Tensor tensor) in ordered) stream.Write(tensor.Bytes);
            stream.Flush();
        }

        /// <summary>The bytes of a safetensors file holding <paramref name="tensors"/> and <paramref name="metadata"/>.</summary>
        public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            using var stream = new MemoryStream();
            Write(stream, tensors, metadata);
            return stream.ToArray();
        }

        private static byte[] BuildHeader(List<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
            {
                json.WriteStartObject();
                if (metadata is { Count: > 0 })
                {
                    json.WritePropertyName(MetadataKey);
                    json.WriteStartObject();
                    foreach (string key in metadata.Keys.OrderBy(k => k, StringComparer.Ordinal))
                    {
                        json.WriteString(key, metadata[key] ?? throw new ArgumentException($"Metadata '{key}' is null; metadata values are strings.", nameof(metadata)));
                    }

                    json.WriteEndObject();
                }

                long offset = 0;
                foreach ((string name, Tensor tensor) in tensors)
                {
                    json.WritePropertyName(name);
                    json.WriteStartObject();
                    json.WriteString("dtype", tensor.DType.Name());
                    json.WritePropertyName("shape");
                    json.WriteStartArray();
                    foreach (int d in tensor.Shape) json.WriteNumberValue(d);
                    json.WriteEndArray();
                    json.WritePropertyName("data_offsets");
                    json.WriteStartArray();
                    json.WriteNumberValue(offset);
                    offset += tensor.ByteLength;
                    json.WriteNumberValue(offset);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            // Pad with spaces so the data buffer starts 8-byte aligned, as the reference implementation does.
            while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
            return buffer.ToArray();
        }

        private static bool HasPickleExtension(string path)
        {
            string extension = System.IO.Path.GetExtension(path);
            return PickleExtensions.Any(e => string.Equals(e, extension, StringComparison.OrdinalIgnoreCase));
        }

        // torch.save writes a zip archive (PK\x03\x04) since PyTorch 1.6, a raw pickle (\x80 protocol 2-5) before.
        // A valid safetensors file can start with the same bytes (e.g. a header of 0x0280 bytes), so this is only
        // consulted once the file has failed to parse, or for a file named like a checkpoint.
        private static bool LooksLikePickle(ReadOnlySpan<byte> prefix) =>
            (prefix.Length >= 4 && prefix[0] == (byte)'P' && prefix[1] == (byte)'K' && prefix[2] == 3 && prefix[3] == 4)
            || (prefix.Length >= 2 && prefix[0] == 0x80 && prefix[1] is >= 2 and <= 5);

        private static SafeTensorsFormatException PickleError(string? path, SafeTensorsFormatException? cause)
        {
            string what = path is null ? "This stream" : $"'{path}'";
            string detail = cause is null ? string.Empty : $" (As safetensors it fails: {cause.Message})";
            return new SafeTensorsFormatException(
                $"{what} is a pickle-based PyTorch checkpoint (torch.save), not a safetensors file. Relucent never unpickles: "
                + $"loading a pickle can run arbitrary code. Convert it once in Python: {ConversionHint}{detail}",
                path,
                cause)
            {
                IsPickleCheckpoint = true,
            };
        }

        private static SafeTensorsFile ReadCore(Stream stream, string? path, bool pickleName)
        {
            Span<byte> prefix = stackalloc byte[8];
            int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            try
            {
                return ReadAfterPrefix(stream, path, prefix[..got]);
            }
            catch (SafeTensorsFormatException e) when (pickleName || LooksLikePickle(prefix[..got]))
            {
                throw PickleError(path, e);
            }
        }

        private static SafeTensorsFile ReadAfterPrefix(Stream stream, string? path, ReadOnlySpan<byte> prefix)
        {
            string where = path is null ? "safetensors" : $"'{path}'";
            SafeTensorsFormatException Error(string message, Exception? inner = null) => new($"{where}: {message}", path, inner);

            long? remaining = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
            if (prefix.Length < 8)
            {
                throw Error($"the file is {prefix.Length} bytes long; a safetensors file starts with an 8-byte header length.");
            }

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderLength)
            {
                throw Error($"the header length is {headerLength} bytes, over the {MaxHeaderLength}-byte limit (the first 8 bytes are not a safetensors header length).");
            }

            if (remaining is long known && (long)headerLength > known)
            {
                throw Error($"the header length is {headerLength} bytes, longer than the {known} bytes that follow the length.");
            }

            byte[] header = ReadUpTo(stream, (int)headerLength);
            if (header.Length < (int)headerLength)
            {
                throw Error($"the header length is {headerLength} bytes, longer than the {header.Length} bytes that follow the length.");
            }

            (List<Entry> entries, Dictionary<string, string> metadata) = ParseHeader(header, Error);

            // The data buffer: its length is known for a seekable stream; otherwise read it (bounded by what is there).
            Stream data = stream;
            MemoryStream? copy = null;
            long bufferLength;
            if (remaining is long total)
            {
                bufferLength = total - (long)headerLength;
            }
            else
            {
                copy = new MemoryStream();
                stream.CopyTo(copy);
                copy.Position = 0;
                data = copy;
                bufferLength = copy.Length;
            }

            using (copy)
            {
                CheckLayout(entries, bufferLength, Error);

                var file = new SafeTensorsFile { Metadata = metadata };
                var read = new Dictionary<Entry, Tensor>(ReferenceEqualityComparer.Instance);
                foreach (Entry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
                {
                    // Contiguous from offset 0 (CheckLayout), so a sequential read visits every byte once.
                    byte[] bytes = new byte[(int)(entry.End - entry.Begin)];
                    try
                    {
                        data.ReadExactly(bytes);
                    }
                    catch (EndOfStreamException e)
                    {
                        throw Error($"the file ended before the end of tensor '{entry.Name}' (data_offsets [{entry.Begin}, {entry.End}]); was it truncated while being read?", e);
                    }

                    read[entry] = new Tensor(entry.DType, entry.Shape, bytes, owned: true);
                }

                foreach (Entry entry in entries) file.Add(entry.Name, read[entry]); // header order
                return file;
            }
        }

        private static byte[] ReadUpTo(Stream stream, int count)
        {
            if (stream.CanSeek)
            {
                byte[] all = new byte[count];
                int n = stream.ReadAtLeast(all, count, throwOnEndOfStream: false);
                return n == count ? all : all[..n];
            }

            // Unknown length: grow as bytes arrive, so a lying header length cannot make us allocate 100 MB up front.
            byte[] buffer = new byte[Math.Min(count, 1 << 16)];
            int filled = 0;
            while (filled < count)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(count, (long)buffer.Length * 2));
                int n = stream.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) break;
                filled += n;
            }

            return filled == buffer.Length ? buffer : buffer[..filled];
        }

        private sealed class Entry(string name, DType dtype, int[] shape, ulong begin, ulong end)
        {
            public string Name { get; } = name;

            public DType DType { get; } = dtype;

            public int[] Shape { get; } = shape;

            public ulong Begin { get; } = begin;

            public ulong End { get; } = end;
        }

        private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(
            byte[] header, Func<string, Exception?, SafeTensorsFormatException> error)
        {
            SafeTensorsFormatException Error(string message) => error(message, null);

            if (header.Length == 0 || header[0] != (byte)'{')
            {
                string start = header.Length == 0 ? "is empty" : $"starts with byte 0x{header[0]:X2}";
                throw Error($"the {header.Length}-byte header {start}; a safetensors header is a JSON object starting with '{{'.");
            }

            if (!System.Text.Unicode.Utf8.IsValid(header))
            {
                throw Error("the header is not valid UTF-8.");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException e)
            {
                throw error($"the header is not valid JSON: {e.Message}", e);
            }

            using (document)
            {
                try
                {
                    return ParseEntries(document.RootElement, Error);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException or FormatException and not SafeTensorsFormatException)
                {
                    throw error($"the header could not be read: {e.Message}", e);
                }
            }
        }

        private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseEntries(JsonElement root, Func<string, SafeTensorsFormatException> error)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw error($"the header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.");
            }

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name)) throw error($"the header names '{name}' twice.");
                JsonElement value = property.Value;
                if (name == MetadataKey)
                {
                    if (value.ValueKind == JsonValueKind.Null) continue;
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        throw error($"'{MetadataKey}' is a JSON {Kind(value)}; it must be an object of strings.");
                    }

                    foreach (JsonProperty item in value.EnumerateObject())
                    {
                        if (item.Value.ValueKind != JsonValueKind.String)
                        {
                            throw error($"'{MetadataKey}' entry '{item.Name}' is a JSON {Kind(item.Value)}; metadata values must be strings.");
                        }

                        if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw error($"'{MetadataKey}' names '{item.Name}' twice.");
                    }

                    continue;
                }

                entries.Add(ParseEntry(name, value, error));
            }

            return (entries, metadata);
        }

        private static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => e.ValueKind.ToString().ToLowerInvariant(),
        };

        private static Entry ParseEntry(string name, JsonElement value, Func<string, SafeTensorsFormatException> error)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw error($"tensor '{name}' is described by a JSON {Kind(value)}; expected {{\"dtype\", \"shape\", \"data_offsets\"}}.");
            }

            JsonElement Field(string field) =>
                value.TryGetProperty(field, out JsonElement f) ? f : throw error($"tensor '{name}' has no \"{field}\".");

            // dtype
            JsonElement dtypeElement = Field("dtype");
            if (dtypeElement.ValueKind != JsonValueKind.String)
            {
                throw error($"tensor '{name}' has a dtype that is a JSON {Kind(dtypeElement)}, not a string; supported: {DTypes.SupportedNames}.");
            }

            string dtypeName = dtypeElement.GetString()!;
            if (!DTypes.TryParse(dtypeName, out DType dtype))
            {
                throw error(DTypes.IsFormatDType(dtypeName)
                    ? $"tensor '{name}' has dtype '{dtypeName}', which Relucent does not support; supported: {DTypes.SupportedNames}."
                    : $"tensor '{name}' has unknown dtype '{dtypeName}'; supported: {DTypes.SupportedNames}.");
            }

            // shape
            JsonElement shapeElement = Field("shape");
            if (shapeElement.ValueKind != JsonValueKind.Array)
            {
                throw error($"tensor '{name}' has a shape that is a JSON {Kind(shapeElement)}, not an array of sizes.");
            }

            string shapeText = "[" + string.Join(", ", shapeElement.EnumerateArray().Select(e => e.GetRawText())) + "]";
            var shape = new int[shapeElement.GetArrayLength()];
            int i = 0;
            foreach (JsonElement d in shapeElement.EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size))
                {
                    string negative = d.ValueKind == JsonValueKind.Number && d.GetRawText().StartsWith('-') ? "negative, " : string.Empty;
                    throw error($"tensor '{name}' has shape entry {d.GetRawText()} in {shapeText}, which is {negative}not a non-negative integer.");
                }

                if (size < 0) throw error($"tensor '{name}' has a negative shape entry {size} in {shapeText}.");
                if (size > int.MaxValue) throw error($"tensor '{name}' has shape entry {size} in {shapeText}, over the {int.MaxValue} Relucent supports.");
                shape[i++] = (int)size;
            }

            // data_offsets
            JsonElement offsetsElement = Field("data_offsets");
            if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            {
                throw error($"tensor '{name}' has data_offsets {offsetsElement.GetRawText()}; expected [begin, end].");
            }

            ulong begin = Offset(0), end = Offset(1);
            ulong Offset(int index)
            {
                JsonElement o = offsetsElement[index];
                if (o.ValueKind != JsonValueKind.Number || !o.TryGetUInt64(out ulong v))
                {
                    throw error($"tensor '{name}' has data_offsets {offsetsElement.GetRawText()}; expected [begin, end] of non-negative integers.");
                }

                return v;
            }

            if (begin > end)
            {
                throw error($"tensor '{name}' has data_offsets [{begin}, {end}]: begin is after end.");
            }

            // size: (end - begin) must be product(shape) × element size
            ulong available = end - begin;
            int elementSize = dtype.ElementSize();
            string needed;
            bool ok;
            if (shape.Contains(0))
            {
                needed = $"0 bytes (0 elements × {elementSize})";
                ok = available == 0;
            }
            else
            {
                UInt128 count = 1;
                bool overflow = false;
                foreach (int d in shape)
                {
                    count *= (uint)d;
                    if (count > long.MaxValue)
                    {
                        overflow = true;
                        break;
                    }
                }

                if (overflow)
                {
                    throw error($"tensor '{name}' has shape {shapeText}, with more than {long.MaxValue} elements.");
                }

                UInt128 bytes = count * (uint)elementSize;
                needed = $"{bytes} bytes ({count} elements × {elementSize})";
                ok = bytes == available;
            }

            if (!ok)
            {
                throw error($"tensor '{name}' has data_offsets [{begin}, {end}] ({available} bytes), but {dtypeName} {shapeText} needs {needed}.");
            }

            if (available > (ulong)Array.MaxLength)
            {
                throw error($"tensor '{name}' has {available} bytes; Relucent holds a tensor in one array, at most {Array.MaxLength} bytes.");
            }

            return new Entry(name, dtype, shape, begin, end);
        }

        private static void CheckLayout(List<Entry> entries, long bufferLength, Func<string, Exception?, SafeTensorsFormatException> error)
        {
            foreach (Entry e in entries)
            {
                if (e.End > (ulong)bufferLength)
                {
                    throw error(
                        $"tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}], beyond the end of the {bufferLength}-byte data buffer.", null);
                }
            }

            // The reference implementation requires the tensors to tile the buffer exactly: sorted by offsets, each
            // begins where the previous ends, the last ends at the end of the file.
            ulong position = 0;
            Entry? previous = null;
            foreach (Entry e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin < position && previous is not null)
                {
                    throw error(
                        $"tensors '{previous.Name}' (data_offsets [{previous.Begin}, {previous.End}]) and '{e.Name}' (data_offsets [{e.Begin}, {e.End}]) overlap.", null);
                }

                if (e.Begin > position)
                {
                    string after = previous is null ? "before the first tensor" : $"between '{previous.Name}' and '{e.Name}'";
                    throw error(
                        $"bytes [{position}, {e.Begin}) of the data buffer belong to no tensor ({after}); the format allows no holes.", null);
                }

                position = e.End;
                previous = e;
            }

            if (position != (ulong)bufferLength)
            {
                throw error(
                    $"the data buffer has {bufferLength} bytes but the tensors cover only the first {position}; the format allows no trailing bytes.", null);
            }
        }
    }

    /// <summary>The tensors of one safetensors file by name, and its <c>__metadata__</c>.</summary>
    public sealed class SafeTensorsFile : Dictionary<string, Tensor>
    {
        /// <summary>An empty file (ordinal names).</summary>
        public SafeTensorsFile()
            : base(StringComparer.Ordinal)
        {
        }

        /// <summary>The file's <c>__metadata__</c> strings (empty when absent).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    }
}
