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

        [Fact]
        public void File_shorter_than_8_bytes()
        {
            var e = Fails([1, 2, 3]);
            Assert.Contains("3 bytes", e.Message);
            Assert.Contains("8-byte", e.Message);
            Assert.Contains("0 bytes", Fails([]).Message);
        }

        [Fact]
        public void Header_length_over_the_limit()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            BinaryPrimitives.WriteUInt64LittleEndian(raw, 200_000_000);
            var e = Fails(raw);
            Assert.Contains("200000000", e.Message);
            Assert.Contains("100000000", e.Message);

            BinaryPrimitives.WriteUInt64LittleEndian(raw, ulong.MaxValue);
            Assert.Contains(ulong.MaxValue.ToString(), Fails(raw).Message);
        }

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
        public void Header_that_is_not_JSON()
        {
            var e = Fails(Raw("{\"a\": {\"dtype\": \"F32\", ", []));
            Assert.Contains("not valid JSON", e.Message);
            Assert.IsType<System.Text.Json.JsonException>(e.InnerException, exactMatch: false);
        }

        [Fact]
        public void Header_that_is_not_an_object()
        {
            var e = Fails(Raw("[1, 2]  ", []));
            Assert.Contains("JSON object", e.Message);
            Assert.Contains("0x5B", e.Message);
            Assert.Contains("is empty", Fails(Raw("", [])).Message);
            Assert.Contains("JSON object", Fails(Raw(" {}", [])).Message);
        }

        [Fact]
        public void Header_that_is_not_UTF8()
        {
            byte[] header = [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
            Assert.Contains("UTF-8", Fails(Raw(header, [])).Message);
        }

        [Fact]
        public void Tensor_entry_that_is_not_an_object_or_lacks_a_field()
        {
            Assert.Contains("'w'", Fails(Raw("{\"w\": 3}", [])).Message);
            var e = Fails(Raw("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", new byte[4]));
            Assert.Contains("'w'", e.Message);
            Assert.Contains("\"shape\"", e.Message);
        }

        [Fact]
        public void Unknown_dtype_names_it_and_lists_the_supported_ones()
        {
            var e = Fails(Raw("{" + Entry("fc.weight", "F33", "[1]", "[0,4]") + "}", new byte[4]));
            Assert.Contains("'fc.weight'", e.Message);
            Assert.Contains("'F33'", e.Message);
            Assert.Contains("unknown", e.Message);
            Assert.Contains("F32, F64, F16, BF16, I64, I32", e.Message);
        }

        [Fact]
        public void Unsupported_dtype_names_it_and_lists_the_supported_ones()
        {
            var e = Fails(Raw("{" + Entry("mask", "U8", "[4]", "[0,4]") + "}", new byte[4]));
            Assert.Contains("'mask'", e.Message);
            Assert.Contains("'U8'", e.Message);
            Assert.Contains("does not support", e.Message);
            Assert.Contains("F32, F64, F16, BF16, I64, I32", e.Message);
        }

        [Fact]
        public void Negative_shape_entry()
        {
            var e = Fails(Raw("{" + Entry("w", "F32", "[2,-3]", "[0,0]") + "}", []));
            Assert.Contains("'w'", e.Message);
            Assert.Contains("-3", e.Message);
            Assert.Contains("negative", e.Message);
        }

        [Fact]
        public void Shape_entry_that_is_not_an_integer()
        {
            var e = Fails(Raw("{" + Entry("w", "F32", "[2.5]", "[0,4]") + "}", new byte[4]));
            Assert.Contains("2.5", e.Message);
            Assert.Contains("'w'", e.Message);
        }

        [Theory]
        [InlineData("[0]")]
        [InlineData("[0,4,8]")]
        [InlineData("\"0,4\"")]
        [InlineData("[0,-4]")]
        [InlineData("[0,4.5]")]
        public void Data_offsets_that_are_not_a_begin_end_pair(string offsets)
        {
            var e = Fails(Raw("{" + Entry("w", "F32", "[1]", offsets) + "}", new byte[4]));
            Assert.Contains("'w'", e.Message);
            Assert.Contains("data_offsets", e.Message);
            Assert.Contains(offsets, e.Message);
        }

        [Fact]
        public void Data_offsets_with_begin_after_end()
        {
            var e = Fails(Raw("{" + Entry("w", "F32", "[1]", "[8,4]") + "}", new byte[8]));
            Assert.Contains("'w'", e.Message);
            Assert.Contains("[8, 4]", e.Message);
            Assert.Contains("begin is after end", e.Message);
        }

        [Fact]
        public void Data_offsets_beyond_the_buffer()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            string header = HeaderOf(raw).Replace("[1408,1600]", "[1416,1608]");
            byte[] edited = Raw(header, raw[(8 + 392)..]);
            var e = Fails(edited);
            Assert.Contains("'4.weight'", e.Message);
            Assert.Contains("1608", e.Message);
            Assert.Contains("1600-byte", e.Message);
        }

        [Fact]
        public void Byte_count_that_does_not_match_the_shape()
        {
            var e = Fails(Raw("{" + Entry("fc1.bias", "F32", "[16]", "[0,60]") + "}", new byte[60]));
            Assert.Contains("'fc1.bias'", e.Message);
            Assert.Contains("60 bytes", e.Message);
            Assert.Contains("64 bytes", e.Message);
            Assert.Contains("[16]", e.Message);
        }

        [Fact]
        public void Shape_whose_element_count_overflows()
        {
            var e = Fails(Raw("{" + Entry("w", "F64", "[2147483647,2147483647,2147483647,4]", "[0,8]") + "}", new byte[8]));
            Assert.Contains("'w'", e.Message);
        }

        [Fact]
        public void Overlapping_tensors_are_named()
        {
            string header = "{" + Entry("a", "F32", "[4]", "[0,16]") + "," + Entry("b", "F32", "[4]", "[8,24]") + "}";
            var e = Fails(Raw(header, new byte[24]));
            Assert.Contains("'a'", e.Message);
            Assert.Contains("'b'", e.Message);
            Assert.Contains("[0, 16]", e.Message);
            Assert.Contains("[8, 24]", e.Message);
            Assert.Contains("overlap", e.Message);

            // Two names for the same bytes (an aliasing attack) overlap too.
            string alias = "{" + Entry("a", "F32", "[4]", "[0,16]") + "," + Entry("b", "F32", "[4]", "[0,16]") + "}";
            Assert.Contains("overlap", Fails(Raw(alias, new byte[16])).Message);
        }

        [Fact]
        public void Holes_and_trailing_bytes_are_rejected_as_the_reference_does()
        {
            string hole = "{" + Entry("a", "F32", "[1]", "[0,4]") + "," + Entry("b", "F32", "[1]", "[8,12]") + "}";
            var e = Fails(Raw(hole, new byte[12]));
            Assert.Contains("[4, 8)", e.Message);
            Assert.Contains("'a'", e.Message);
            Assert.Contains("'b'", e.Message);

            string trailing = "{" + Entry("a", "F32", "[1]", "[0,4]") + "}";
            var t = Fails(Raw(trailing, new byte[6]));
            Assert.Contains("6 bytes", t.Message);
            Assert.Contains("first 4", t.Message);
        }

        [Fact]
        public void Duplicate_names_are_rejected()
        {
            string header = "{" + Entry("a", "F32", "[1]", "[0,4]") + "," + Entry("a", "F32", "[1]", "[4,8]") + "}";
            var e = Fails(Raw(header, new byte[8]));
            Assert.Contains("'a' twice", e.Message);
        }

        [Fact]
        public void Metadata_must_be_strings()
        {
            var e = Fails(Raw("{\"__metadata__\":{\"epoch\":3}}", []));
            Assert.Contains("'epoch'", e.Message);
            Assert.Contains("number", e.Message);
            Assert.Contains("__metadata__", Fails(Raw("{\"__metadata__\":[1]}", [])).Message);
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
        public void Truncated_file_fails_naming_the_tensor_or_the_sizes()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            var e = Fails(raw[..^10]);
            Assert.Contains("'4.weight'", e.Message);
            Assert.Contains("1590-byte", e.Message);

            using var stream = new NonSeekableStream(raw[..^10]);
            var s = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(stream));
            Assert.Contains("'4.weight'", s.Message);

            var header = Fails(raw[..100]);
            Assert.Contains("392", header.Message);
            Assert.Contains("92 bytes", header.Message);
        }
    }
}
