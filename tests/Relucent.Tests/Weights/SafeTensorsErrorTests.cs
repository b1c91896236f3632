using System.Buffers.Binary;
using Xunit;
using static Relucent.Tests.Weights.WeightsTestData;

namespace Relucent.Tests.Weights
{
    public class SafeTensorsErrorTests
    {
        private static SafeTensorsFormatException Fails(byte[] bytes) => Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(bytes));

        private static string Entry(string name, string dtype, string shape, string offsets) =>
            $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

        /// <summary>
        /// Malformed files, each with the fragments its error message must contain: what was wrong, which tensor, and
        /// the expected and actual values. One row per way a file can be wrong; the cases that check more than the
        /// message (allocation, streams, paths, pickles) are their own tests below.
        /// </summary>
        public static TheoryData<string, byte[], string[]> Malformed => new()
        {
            { "shorter than the length field", [1, 2, 3], ["3 bytes", "8-byte"] },
            { "empty", [], ["0 bytes", "8-byte"] },
            { "header length over the limit", WithHeaderLength(200_000_000), ["200000000", "100000000"] },
            { "header length of 2^64-1", WithHeaderLength(ulong.MaxValue), [ulong.MaxValue.ToString()] },
            { "header cut short", File.ReadAllBytes(MlpWeights)[..100], ["392", "92 bytes"] },
            { "header not JSON", Raw("{\"a\": {\"dtype\": \"F32\", ", []), ["not valid JSON"] },
            { "header a JSON array", Raw("[1, 2]  ", []), ["JSON object", "0x5B"] },
            { "header empty", Raw("", []), ["is empty"] },
            { "header starting with a space", Raw(" {}", []), ["JSON object"] },
            { "header not UTF-8", Raw([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), ["UTF-8"] },
            { "entry not an object", Raw("{\"w\": 3}", []), ["'w'"] },
            { "entry without a shape", Raw("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", new byte[4]), ["'w'", "\"shape\""] },
            { "unknown dtype", One("fc.weight", "F33", "[1]", "[0,4]", 4), ["'fc.weight'", "'F33'", "unknown", Supported] },
            { "unsupported dtype", One("mask", "U8", "[4]", "[0,4]", 4), ["'mask'", "'U8'", "does not support", Supported] },
            { "negative dimension", One("w", "F32", "[2,-3]", "[0,0]", 0), ["'w'", "-3", "negative"] },
            { "fractional dimension", One("w", "F32", "[2.5]", "[0,4]", 4), ["'w'", "2.5"] },
            { "one offset", One("w", "F32", "[1]", "[0]", 4), ["'w'", "data_offsets", "[0]"] },
            { "three offsets", One("w", "F32", "[1]", "[0,4,8]", 4), ["'w'", "data_offsets", "[0,4,8]"] },
            { "offsets a string", One("w", "F32", "[1]", "\"0,4\"", 4), ["'w'", "data_offsets", "\"0,4\""] },
            { "negative offset", One("w", "F32", "[1]", "[0,-4]", 4), ["'w'", "data_offsets", "[0,-4]"] },
            { "fractional offset", One("w", "F32", "[1]", "[0,4.5]", 4), ["'w'", "data_offsets", "[0,4.5]"] },
            { "begin after end", One("w", "F32", "[1]", "[8,4]", 8), ["'w'", "[8, 4]", "begin is after end"] },
            { "offsets past the buffer", OffsetsPastTheBuffer(), ["'4.weight'", "1608", "1600-byte"] },
            { "buffer cut short", File.ReadAllBytes(MlpWeights)[..^10], ["'4.weight'", "1590-byte"] },
            { "bytes not matching the shape", One("fc1.bias", "F32", "[16]", "[0,60]", 60), ["'fc1.bias'", "60 bytes", "64 bytes", "[16]"] },
            { "element count overflowing", One("w", "F64", "[2147483647,2147483647,2147483647,4]", "[0,8]", 8), ["'w'"] },
            { "overlapping tensors", Two(("a", "[0,16]"), ("b", "[8,24]"), 24, "[4]"), ["'a'", "'b'", "[0, 16]", "[8, 24]", "overlap"] },
            { "two names for the same bytes", Two(("a", "[0,16]"), ("b", "[0,16]"), 16, "[4]"), ["'a'", "'b'", "overlap"] },
            { "a hole between tensors", Two(("a", "[0,4]"), ("b", "[8,12]"), 12, "[1]"), ["'a'", "'b'", "[4, 8)"] },
            { "trailing bytes", One("a", "F32", "[1]", "[0,4]", 6), ["6 bytes", "first 4"] },
            { "a name twice", Two(("a", "[0,4]"), ("a", "[4,8]"), 8, "[1]"), ["'a' twice"] },
            { "metadata not a string", Raw("{\"__metadata__\":{\"epoch\":3}}", []), ["'epoch'", "number"] },
            { "metadata not an object", Raw("{\"__metadata__\":[1]}", []), ["__metadata__"] },
        };

        private const string Supported = "F32, F64, F16, BF16, I64, I32";

        [Theory]
        [MemberData(nameof(Malformed))]
        public void Malformed_files_fail_saying_what_is_wrong(string what, byte[] file, string[] fragments)
        {
            string message = Fails(file).Message;
            foreach (string fragment in fragments)
                Assert.True(message.Contains(fragment, StringComparison.Ordinal), $"{what}: no \"{fragment}\" in \"{message}\"");
        }

        [Fact]
        public void A_header_that_is_not_JSON_keeps_the_parser_error()
        {
            var e = Fails(Raw("{\"a\": {\"dtype\": \"F32\", ", []));
            Assert.IsType<System.Text.Json.JsonException>(e.InnerException, exactMatch: false);
        }

        private static byte[] WithHeaderLength(ulong length)
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            BinaryPrimitives.WriteUInt64LittleEndian(raw, length);
            return raw;
        }

        /// <summary>The MLP's file with its last tensor's offsets moved 8 bytes past the end of the buffer.</summary>
        private static byte[] OffsetsPastTheBuffer()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            string header = HeaderOf(raw).Replace("[1408,1600]", "[1416,1608]");
            return Raw(header, raw[(8 + 392)..]);
        }

        private static byte[] One(string name, string dtype, string shape, string offsets, int bufferBytes) =>
            Raw("{" + Entry(name, dtype, shape, offsets) + "}", new byte[bufferBytes]);

        private static byte[] Two((string Name, string Offsets) first, (string Name, string Offsets) second, int bufferBytes, string shape) =>
            Raw("{" + Entry(first.Name, "F32", shape, first.Offsets) + "," + Entry(second.Name, "F32", shape, second.Offsets) + "}", new byte[bufferBytes]);

        [Fact]
        public void Header_longer_than_the_file_fails_without_allocating_it()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            BinaryPrimitives.WriteUInt64LittleEndian(raw, 99_000_000);
            SafeTensors.Read(File.ReadAllBytes(MlpWeights)); // warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Fails(raw);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("99000000", e.Message);
            Assert.Contains((raw.Length - 8).ToString(), e.Message);
            Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes");

            before = GC.GetAllocatedBytesForCurrentThread();
            using var stream = new NonSeekableStream(raw);
            var e2 = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(stream));
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("99000000", e2.Message);
            Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes from a non-seekable stream");
        }

        [Fact]
        public void Errors_reading_a_path_name_the_path()
        {
            string path = Path.Combine(Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}.safetensors");
            try
            {
                File.WriteAllBytes(path, [1, 2, 3]);
                var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));
                Assert.Contains(path, e.Message);
                Assert.Equal(path, e.Path);
                Assert.False(e.IsPickleCheckpoint);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Missing_file_is_FileNotFound_naming_the_path()
        {
            string path = Path.Combine(Path.GetTempPath(), $"relucent-missing-{Guid.NewGuid():N}.safetensors");
            var e = Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Equal(path, e.FileName);
        }

        [Theory]
        [InlineData(".pt", new byte[] { (byte)'P', (byte)'K', 3, 4, 0x14, 0, 0, 0, 8, 0, 0, 0 })] // torch.save (zip)
        [InlineData(".pth", new byte[] { 0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8 })] // legacy pickle
        [InlineData(".bin", new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0, 0, 0 })]
        [InlineData(".ckpt", new byte[] { 0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0 })]
        [InlineData(".bin", new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0, 0, 0, 0, 0 })] // not even a pickle
        [InlineData(".PT", new byte[] { 1 })]
        public void Pickle_checkpoints_get_the_conversion_recipe(string extension, byte[] content)
        {
            string path = Path.Combine(Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}{extension}");
            try
            {
                File.WriteAllBytes(path, content);
                var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));
                Assert.True(e.IsPickleCheckpoint);
                Assert.Contains(path, e.Message);
                Assert.Contains("pickle-based PyTorch checkpoint", e.Message);
                Assert.Contains("never unpickles", e.Message);
                Assert.Contains("from safetensors.torch import save_file; save_file(model.state_dict(), \"model.safetensors\")", e.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_zip_checkpoint_under_any_name_or_in_a_stream_gets_the_recipe()
        {
            byte[] zip = [(byte)'P', (byte)'K', 3, 4, 0x14, 0, 0, 0, 8, 0, 0, 0, 0, 0];
            var e = Fails(zip);
            Assert.True(e.IsPickleCheckpoint);
            Assert.Contains("save_file(model.state_dict()", e.Message);
            Assert.Contains("pickle", e.Message);
        }

        [Fact]
        public void A_safetensors_file_named_pt_whose_length_looks_like_a_pickle_opcode_loads()
        {
            // A header of 0x0280 = 640 bytes starts the file with 0x80 0x02, a pickle's first two bytes.
            var tensors = new Dictionary<string, Tensor> { ["w"] = Tensor.FromSingle([1f, 2f], 2) };
            byte[] bytes = SafeTensors.Serialize(tensors);
            string header = HeaderOf(bytes);
            byte[] padded = Raw(header + new string(' ', 640 - header.Length), bytes[(8 + header.Length)..]);
            Assert.Equal(0x80, padded[0]);
            Assert.Equal(0x02, padded[1]);
            string path = Path.Combine(Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}.pt");
            try
            {
                File.WriteAllBytes(path, padded);
                Assert.Equal([1f, 2f], SafeTensors.Read(path)["w"].ToSingle());
                Assert.Equal([1f, 2f], SafeTensors.Read(padded)["w"].ToSingle());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Missing_checkpoint_is_still_FileNotFound()
        {
            string path = Path.Combine(Path.GetTempPath(), $"relucent-missing-{Guid.NewGuid():N}.pt");
            Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(path));
        }

        [Fact]
        public void A_stream_cut_short_names_the_tensor()
        {
            using var stream = new NonSeekableStream(File.ReadAllBytes(MlpWeights)[..^10]);
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(stream));
            Assert.Contains("'4.weight'", e.Message);
        }
    }
}
