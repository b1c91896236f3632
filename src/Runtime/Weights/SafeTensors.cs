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
        /// <remarks>
        /// <para>
        /// The bytes are first written in full to a temporary file beside the target (a short name, so any valid target
        /// name works), so a failure while writing them leaves the old file as it was. A new file is then moved into
        /// place. An existing file is overwritten in place from the temporary copy instead of replaced, so it keeps
        /// everything the file system holds about it: its owner and group, its permissions, its hard links, and a
        /// symbolic link at <paramref name="path"/> stays a link to the file it names.
        /// </para>
        /// <para>A process killed during that last copy can leave the existing file half written; write to a new name and move it to replace a file atomically.</para>
        /// </remarks>
        public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(tensors);
            string full = FinalTarget(System.IO.Path.GetFullPath(path));
            string folder = System.IO.Path.GetDirectoryName(full) ?? ".";
            string temp = System.IO.Path.Combine(folder, "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
                {
                    Write(stream, tensors, metadata);
                    if (File.Exists(full))
                    {
                        // Overwrite in place: the file's inode, and so its owner, mode, links and ACLs, stays.
                        stream.Position = 0;
                        using var target = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.None, 1 << 16);
                        stream.CopyTo(target);
                        target.SetLength(stream.Length);
                        target.Flush(flushToDisk: true);
                        return;
                    }
                }

                File.Move(temp, full, overwrite: false);
            }
            finally
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
            }
        }

        /// <summary><paramref name="path"/> with a symbolic link at its end followed to the file it finally names (which may not exist yet).</summary>
        private static string FinalTarget(string path)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget == null) return path;
            FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
            return target == null ? path : System.IO.Path.GetFullPath(target.FullName);
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

            // The data buffer: its length is known for a seekable stream, and checked before reading. A stream of unknown
            // length is checked against the length the header declares, then read tensor by tensor, each array grown as
            // its bytes arrive, so a lying header costs no more than the bytes really sent (at most twice, while growing).
            long bufferLength = remaining is long total ? total - (long)headerLength : DeclaredLength(entries);
            CheckLayout(entries, bufferLength, Error);

            var file = new SafeTensorsFile { Metadata = metadata };
            var read = new Dictionary<Entry, Tensor>(ReferenceEqualityComparer.Instance);
            foreach (Entry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                // Contiguous from offset 0 (CheckLayout), so a sequential read visits every byte once.
                int length = (int)(entry.End - entry.Begin);
                byte[]? bytes = remaining is null ? ReadUpTo(stream, length) : new byte[length];
                int got = remaining is null ? bytes.Length : stream.ReadAtLeast(bytes, length, throwOnEndOfStream: false);
                if (got < length)
                {
                    throw Error($"the file ended before the end of tensor '{Short(entry.Name)}' (data_offsets [{entry.Begin}, {entry.End}]); was it truncated while being read?");
                }

                read[entry] = new Tensor(entry.DType, entry.Shape, bytes, owned: true);
            }

            if (remaining is null && stream.ReadByte() >= 0)
            {
                throw Error($"the stream holds more bytes after the {bufferLength}-byte data buffer the header describes; the format allows no trailing bytes.");
            }

            foreach (Entry entry in entries) file.Add(entry.Name, read[entry]); // header order
            return file;
        }

        /// <summary>The data buffer's length as the header declares it: where its last tensor ends (0 for none).</summary>
        private static long DeclaredLength(List<Entry> entries)
        {
            ulong end = 0;
            foreach (Entry e in entries) end = Math.Max(end, e.End);
            return end > long.MaxValue ? long.MaxValue : (long)end;
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

        /// <summary>The most dimensions a tensor may have: far more than any network parameter, few enough that a header cannot spend its length on one shape.</summary>
        public const int MaxRank = 64;

        /// <summary>
        /// Parses the header with a forward-only reader, never building a document: the cost is one pass and the
        /// entries themselves, whatever the header holds, and every message quotes at most a short piece of it.
        /// </summary>
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

            try
            {
                var reader = new Utf8JsonReader(header, new JsonReaderOptions { MaxDepth = 64 });
                (List<Entry>, Dictionary<string, string>) result = ParseEntries(ref reader, header, Error);
                if (reader.Read()) throw Error("the header holds more after its JSON object.");
                return result;
            }
            catch (JsonException e)
            {
                throw error($"the header is not valid JSON: {Short(e.Message)}", e);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw error($"the header could not be read: {Short(e.Message)}", e);
            }
        }

        private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseEntries(
            ref Utf8JsonReader reader, byte[] header, Func<string, SafeTensorsFormatException> error)
        {
            reader.Read(); // the '{' checked above
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (!seen.Add(name)) throw error($"the header names '{Short(name)}' twice.");
                reader.Read();
                if (name != MetadataKey)
                {
                    entries.Add(ParseEntry(name, ref reader, header, error));
                    continue;
                }

                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw error($"'{MetadataKey}' is a JSON {Kind(reader.TokenType)}; it must be an object of strings.");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string key = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw error($"'{MetadataKey}' entry '{Short(key)}' is a JSON {Kind(reader.TokenType)}; metadata values must be strings.");
                    }

                    if (!metadata.TryAdd(key, reader.GetString()!)) throw error($"'{MetadataKey}' names '{Short(key)}' twice.");
                }
            }

            return (entries, metadata);
        }

        private static string Kind(JsonTokenType token) => token switch
        {
            JsonTokenType.True or JsonTokenType.False => "boolean",
            JsonTokenType.StartObject => "object",
            JsonTokenType.StartArray => "array",
            _ => token.ToString().ToLowerInvariant(),
        };

        /// <summary>The text of the value the reader is on (a whole array or object), cut short for messages; the reader does not move.</summary>
        private static string Raw(Utf8JsonReader reader, byte[] header)
        {
            long start = reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject) reader.Skip();
            long end = reader.TokenType == JsonTokenType.String ? reader.TokenStartIndex + reader.ValueSpan.Length + 2 : reader.BytesConsumed;
            int length = (int)Math.Min(end - start, 400);
            return Short(System.Text.Encoding.UTF8.GetString(header, (int)start, length)) + (end - start > length ? "…" : string.Empty);
        }

        /// <summary>Text from the file, cut to 200 characters, so no message grows with the header.</summary>
        private static string Short(string text) => text.Length <= 200 ? text : text[..200] + "…";

        private static Entry ParseEntry(string name, ref Utf8JsonReader reader, byte[] header, Func<string, SafeTensorsFormatException> error)
        {
            string shown = Short(name);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw error($"tensor '{shown}' is described by a JSON {Kind(reader.TokenType)}; expected {{\"dtype\", \"shape\", \"data_offsets\"}}.");
            }

            string? dtypeName = null;
            int[]? shape = null;
            (ulong Begin, ulong End)? offsets = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string field = reader.ValueTextEquals("dtype"u8) ? "dtype" : reader.ValueTextEquals("shape"u8) ? "shape" : reader.ValueTextEquals("data_offsets"u8) ? "data_offsets" : string.Empty;
                bool twice = field switch { "dtype" => dtypeName != null, "shape" => shape != null, "data_offsets" => offsets != null, _ => false };
                if (twice) throw error($"tensor '{shown}' names \"{field}\" twice; each field is given once.");
                reader.Read();
                switch (field)
                {
                    case "dtype":
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            throw error($"tensor '{shown}' has a dtype that is a JSON {Kind(reader.TokenType)}, not a string; supported: {DTypes.SupportedNames}.");
                        }

                        dtypeName = reader.GetString()!;
                        break;
                    case "shape":
                        shape = ParseShape(shown, ref reader, header, error);
                        break;
                    case "data_offsets":
                        offsets = ParseOffsets(shown, ref reader, header, error);
                        break;
                    default:
                        reader.Skip(); // other fields are ignored, as the reference implementation does
                        break;
                }
            }

            if (dtypeName == null) throw error($"tensor '{shown}' has no \"dtype\".");
            if (shape == null) throw error($"tensor '{shown}' has no \"shape\".");
            if (offsets == null) throw error($"tensor '{shown}' has no \"data_offsets\".");
            if (!DTypes.TryParse(dtypeName, out DType dtype))
            {
                throw error(DTypes.IsFormatDType(dtypeName)
                    ? $"tensor '{shown}' has dtype '{Short(dtypeName)}', which Relucent does not support; supported: {DTypes.SupportedNames}."
                    : $"tensor '{shown}' has unknown dtype '{Short(dtypeName)}'; supported: {DTypes.SupportedNames}.");
            }

            (ulong begin, ulong end) = offsets.Value;
            if (begin > end)
            {
                throw error($"tensor '{shown}' has data_offsets [{begin}, {end}]: begin is after end.");
            }

            // size: (end - begin) must be product(shape) × element size
            ulong available = end - begin;
            int elementSize = dtype.ElementSize();
            UInt128 count = 1;
            foreach (int d in shape)
            {
                count *= (uint)d;
                if (count > long.MaxValue) throw error($"tensor '{shown}' has shape {Tensor.FormatShape(shape)}, with more than {long.MaxValue} elements.");
            }

            UInt128 needed = count * (uint)elementSize;
            if (needed != available)
            {
                throw error($"tensor '{shown}' has data_offsets [{begin}, {end}] ({available} bytes), but {dtypeName} {Tensor.FormatShape(shape)} needs {needed} bytes ({count} elements × {elementSize}).");
            }

            if (available > (ulong)Array.MaxLength)
            {
                throw error($"tensor '{shown}' has {available} bytes; Relucent holds a tensor in one array, at most {Array.MaxLength} bytes.");
            }

            return new Entry(name, dtype, shape, begin, end);
        }

        private static int[] ParseShape(string shown, ref Utf8JsonReader reader, byte[] header, Func<string, SafeTensorsFormatException> error)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw error($"tensor '{shown}' has a shape that is a JSON {Kind(reader.TokenType)}, not an array of sizes.");
            }

            Utf8JsonReader start = reader; // a copy, to quote the whole shape in a message
            Span<int> shape = stackalloc int[MaxRank];
            int rank = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (rank == MaxRank) throw error($"tensor '{shown}' has a shape of more than {MaxRank} dimensions, {Raw(start, header)}.");
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long size))
                {
                    string token = Raw(reader, header);
                    string negative = reader.TokenType == JsonTokenType.Number && token.StartsWith('-') ? "negative, " : string.Empty;
                    throw error($"tensor '{shown}' has shape entry {token} in {Raw(start, header)}, which is {negative}not a non-negative integer.");
                }

                if (size < 0) throw error($"tensor '{shown}' has a negative shape entry {size} in {Raw(start, header)}.");
                if (size > int.MaxValue) throw error($"tensor '{shown}' has shape entry {size} in {Raw(start, header)}, over the {int.MaxValue} Relucent supports.");
                shape[rank++] = (int)size;
            }

            return shape[..rank].ToArray();
        }

        private static (ulong Begin, ulong End) ParseOffsets(string shown, ref Utf8JsonReader reader, byte[] header, Func<string, SafeTensorsFormatException> error)
        {
            Utf8JsonReader start = reader; // a copy, to quote the value in a message
            Span<ulong> values = stackalloc ulong[2];
            int count = 0;
            string? wrong = reader.TokenType == JsonTokenType.StartArray ? null : string.Empty;
            while (wrong == null && reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == 2) wrong = string.Empty;
                else if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out values[count++])) wrong = " of non-negative integers";
            }

            if (wrong == null && count != 2) wrong = string.Empty;
            if (wrong != null) throw error($"tensor '{shown}' has data_offsets {Raw(start, header)}; expected [begin, end]{wrong}.");
            return (values[0], values[1]);
        }

        private static void CheckLayout(List<Entry> entries, long bufferLength, Func<string, Exception?, SafeTensorsFormatException> error)
        {
            foreach (Entry e in entries)
            {
                if (e.End > (ulong)bufferLength)
                {
                    throw error(
                        $"tensor '{Short(e.Name)}' has data_offsets [{e.Begin}, {e.End}], beyond the end of the {bufferLength}-byte data buffer.", null);
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
                        $"tensors '{Short(previous.Name)}' (data_offsets [{previous.Begin}, {previous.End}]) and '{Short(e.Name)}' (data_offsets [{e.Begin}, {e.End}]) overlap.", null);
                }

                if (e.Begin > position)
                {
                    string after = previous is null ? "before the first tensor" : $"between '{Short(previous.Name)}' and '{Short(e.Name)}'";
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
