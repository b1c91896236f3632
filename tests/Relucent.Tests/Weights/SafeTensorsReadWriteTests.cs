using System.Buffers.Binary;
using System.Text;
using Xunit;
using static Relucent.Tests.Weights.WeightsTestData;

namespace Relucent.Tests.Weights
{
    public class SafeTensorsReadWriteTests
    {
        [Fact]
        public void Reads_the_mlp_weights_names_shapes_and_dtypes()
        {
            SafeTensorsFile file = SafeTensors.Read(MlpWeights);
            Assert.Equal(
                new[] { "0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight" },
                file.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal([16, 8], file["0.weight"].Shape);
            Assert.Equal([16], file["0.bias"].Shape);
            Assert.Equal([12, 16], file["2.weight"].Shape);
            Assert.Equal([12], file["2.bias"].Shape);
            Assert.Equal([4, 12], file["4.weight"].Shape);
            Assert.Equal([4], file["4.bias"].Shape);
            Assert.All(file.Values, t => Assert.Equal(DType.F32, t.DType));
            Assert.Empty(file.Metadata);
        }

        [Fact]
        public void Mlp_weights_values_are_the_files_bytes()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(raw);
            Assert.Equal(392, n);
            SafeTensorsFile file = SafeTensors.Read(MlpWeights);

            // "0.weight" has data_offsets [64, 576] in the header.
            float[] w = file["0.weight"].ToSingle();
            Assert.Equal(128, w.Length);
            for (int i = 0; i < w.Length; i++)
            {
                Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(8 + n + 64 + (4 * i))), w[i]);
            }

            Assert.True(file["0.weight"].Bytes.SequenceEqual(raw.AsSpan(8 + n + 64, 512)));

            // PyTorch's default Linear init: |w| <= 1/sqrt(in_features).
            Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, (1 / Math.Sqrt(8)) + 1e-6));
            Assert.Contains(w, v => v != 0);
        }

        [Fact]
        public void Reads_the_lenet_weights()
        {
            SafeTensorsFile file = SafeTensors.Read(LenetWeights);
            Assert.Equal(8, file.Count);
            Assert.Equal([4, 1, 3, 3], file["0.weight"].Shape);
            Assert.Equal([8, 4, 3, 3], file["3.weight"].Shape);
            Assert.Equal([16, 32], file["7.weight"].Shape);
            Assert.Equal([5, 16], file["9.weight"].Shape);
            Assert.Equal([5], file["9.bias"].Shape);
        }

        [Fact]
        public void Reads_the_mlp_cases_with_int64_targets_and_float64_results()
        {
            SafeTensorsFile file = SafeTensors.Read(MlpCases);
            Assert.Equal(DType.F32, file["inputs"].DType);
            Assert.Equal([4, 8], file["inputs"].Shape);
            Assert.Equal(DType.I64, file["targets"].DType);
            Assert.Equal([4], file["targets"].Shape);
            Assert.All(file["targets"].ToInt64(), t => Assert.InRange(t, 0, 3));
            Assert.Equal(DType.F64, file["logits"].DType);
            Assert.Equal([4, 4], file["logits"].Shape);
            Assert.Equal(DType.F64, file["saliency"].DType);
            Assert.Equal([4, 8], file["saliency"].Shape);
            Assert.Equal(16, file["logits"].ToDouble().Length);
            Assert.Throws<InvalidOperationException>(() => file["logits"].ToInt64());
        }

        [Fact]
        public void Reads_the_lenet_cases()
        {
            SafeTensorsFile file = SafeTensors.Read(LenetCases);
            Assert.Equal([4, 1, 12, 12], file["inputs"].Shape);
            Assert.Equal([4, 5], file["logits"].Shape);
            Assert.Equal([4, 12, 12], file["saliency_channel_max"].Shape);
            Assert.Equal(DType.F64, file["saliency"].DType);
        }

        [Theory]
        [InlineData("mlp.weights.safetensors")]
        [InlineData("lenet.weights.safetensors")]
        public void Rewriting_a_PyTorch_written_file_is_byte_identical(string name)
        {
            byte[] original = File.ReadAllBytes(Fixture(name));
            SafeTensorsFile file = SafeTensors.Read(Fixture(name));
            byte[] written = SafeTensors.Serialize(file, file.Metadata);
            Assert.Equal(HeaderOf(original), HeaderOf(written));
            Assert.Equal(original, written);
        }

        [Theory]
        [InlineData("mlp.cases.safetensors")]
        [InlineData("lenet.cases.safetensors")]
        public void Rewriting_the_cases_keeps_every_tensor(string name)
        {
            SafeTensorsFile file = SafeTensors.Read(Fixture(name));
            SafeTensorsFile again = SafeTensors.Read(SafeTensors.Serialize(file));
            Assert.Equal(file.Count, again.Count);
            foreach (var (key, tensor) in file) Assert.True(tensor.ContentEquals(again[key]), key);
        }

        [Fact]
        public void Round_trip_is_bit_identical_for_every_dtype()
        {
            var random = new Random(1234);
            var tensors = new Dictionary<string, Tensor>();
            int[][] shapes = [[], [0], [3], [2, 3], [2, 1, 3, 2]];
            foreach (DType dtype in DTypes.Supported)
            {
                foreach (int[] shape in shapes)
                {
                    long count = shape.Aggregate(1L, (a, b) => a * b);
                    byte[] data = new byte[count * dtype.ElementSize()];
                    random.NextBytes(data); // arbitrary bit patterns, NaN payloads included
                    tensors[$"{dtype}.{shape.Length}.{string.Join("x", shape)}"] = new Tensor(dtype, shape, data);
                }
            }

            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"\n" };
            string path = Path.Combine(Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}.safetensors");
            try
            {
                SafeTensors.Write(path, tensors, metadata);
                SafeTensorsFile back = SafeTensors.Read(path);
                Assert.Equal(tensors.Count, back.Count);
                foreach (var (name, tensor) in tensors)
                {
                    Tensor read = back[name];
                    Assert.Equal(tensor.DType, read.DType);
                    Assert.Equal(tensor.Shape, read.Shape);
                    Assert.True(tensor.Bytes.SequenceEqual(read.Bytes), name);
                }

                Assert.Equal(metadata, back.Metadata);

                using var stream = new MemoryStream();
                SafeTensors.Write(stream, back, back.Metadata);
                Assert.Equal(File.ReadAllBytes(path), stream.ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Writer_sorts_by_name_pads_the_header_with_spaces_and_omits_absent_metadata()
        {
            var tensors = new Dictionary<string, Tensor>
            {
                ["b"] = Tensor.FromSingle([1f, 2f], 2),
                ["a"] = Tensor.FromDouble([3.0], 1),
                ["B"] = Tensor.FromInt64([4], 1),
            };
            byte[] bytes = SafeTensors.Serialize(tensors);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, (8 + n) % 8);
            string header = HeaderOf(bytes);
            Assert.StartsWith("{\"B\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},\"b\":", header);
            Assert.Equal(header.TrimEnd(' ') + new string(' ', header.Length - header.TrimEnd(' ').Length), header);
            Assert.EndsWith("}", header.TrimEnd(' '));
            Assert.DoesNotContain("__metadata__", header);
            Assert.Equal(8 + (int)n + 8 + 8 + 8, bytes.Length);

            string withMetadata = HeaderOf(SafeTensors.Serialize(tensors, new Dictionary<string, string> { ["k"] = "v" }));
            Assert.StartsWith("{\"__metadata__\":{\"k\":\"v\"},", withMetadata);
        }

        [Fact]
        public void Reads_from_a_non_seekable_stream_and_from_an_offset()
        {
            byte[] raw = File.ReadAllBytes(MlpWeights);
            using (var stream = new NonSeekableStream(raw))
            {
                SafeTensorsFile file = SafeTensors.Read(stream);
                Assert.Equal(6, file.Count);
                Assert.Equal([4, 12], file["4.weight"].Shape);
            }

            byte[] prefixed = [.. new byte[5], .. raw];
            using var seekable = new MemoryStream(prefixed);
            seekable.Position = 5;
            Assert.Equal(6, SafeTensors.Read(seekable).Count);
        }

        [Fact]
        public void Empty_file_with_only_metadata_round_trips()
        {
            byte[] bytes = SafeTensors.Serialize(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["a"] = "b" });
            SafeTensorsFile file = SafeTensors.Read(bytes);
            Assert.Empty(file);
            Assert.Equal("b", file.Metadata["a"]);
            Assert.Empty(SafeTensors.Read(Raw("{}      ", [])));
            Assert.Empty(SafeTensors.Read(Raw("{\"__metadata__\":null}", [])).Metadata);
        }

        [Fact]
        public void Writer_rejects_the_reserved_name()
        {
            var e = Assert.Throws<ArgumentException>(() => SafeTensors.Serialize(new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.FromSingle([1f]) }));
            Assert.Contains("__metadata__", e.Message);
        }

        [Fact]
        public void Write_overwrites_an_existing_file_and_leaves_no_temporary_file()
        {
            string dir = Path.Combine(Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "w.safetensors");
                File.WriteAllText(path, "old");
                SafeTensorsFile source = SafeTensors.Read(MlpWeights);
                SafeTensors.Write(path, source);
                Assert.Equal(File.ReadAllBytes(MlpWeights), File.ReadAllBytes(path));
                Assert.Single(Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public void Accepts_a_checkpoint_extension_when_the_content_is_safetensors()
        {
            string path = Path.Combine(Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}.ckpt");
            try
            {
                File.Copy(MlpWeights, path);
                Assert.Equal(6, SafeTensors.Read(path).Count);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Header_utf8_names_round_trip()
        {
            var tensors = new Dictionary<string, Tensor> { ["çouche.poids"] = Tensor.FromSingle([1f]), ["a\"b\\c"] = Tensor.FromSingle([2f]) };
            SafeTensorsFile back = SafeTensors.Read(SafeTensors.Serialize(tensors));
            Assert.Equal([1f], back["çouche.poids"].ToSingle());
            Assert.Equal([2f], back["a\"b\\c"].ToSingle());
            Assert.Contains("çouche", Encoding.UTF8.GetString(SafeTensors.Serialize(tensors)));
        }
    }
}
