using System.Text;
using Relucent.Tests.Weights;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// A weights file is untrusted input: a header that claims a huge tensor, or a huge header, fails with
    /// <see cref="SafeTensorsFormatException"/> before anything of the claimed size is allocated (the fuzz tests in
    /// Weights/ cover mutated files at large).
    /// </summary>
    public class UntrustedWeightsTests
    {
        private const long Slack = 1 << 20;

        public static TheoryData<string, string> HugeTensors() => new()
        {
            // 4·10¹⁰ bytes: consistent with its shape, but over what one array can hold.
            { "[100000, 100000]", "[0, 40000000000]" },
            // 4·10⁸ bytes: would fit in an array, but the file holds 16 bytes.
            { "[10000, 10000]", "[0, 400000000]" },
            // 8·10⁸ bytes as float64, in a 3-d shape.
            { "[1000, 1000, 100]", "[0, 800000000]" },
        };

        [Theory]
        [MemberData(nameof(HugeTensors))]
        public void A_header_claiming_a_huge_tensor_fails_before_allocating_it(string shape, string offsets)
        {
            string dtype = shape.Count(c => c == ',') == 2 ? "F64" : "F32";
            byte[] header = Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}");
            byte[] file = WeightsTestData.Raw(header, new byte[16]);
            string path = Path.Combine(Path.GetTempPath(), $"relucent-huge-{Guid.NewGuid():N}.safetensors");
            File.WriteAllBytes(path, file);
            try
            {
                foreach ((string how, Func<SafeTensorsFile> read) in new (string, Func<SafeTensorsFile>)[]
                {
                    ("bytes", () => SafeTensors.Read(file)),
                    ("file", () => SafeTensors.Read(path)),
                    ("non-seekable stream", () => SafeTensors.Read(new WeightsTestData.NonSeekableStream(file))),
                    ("network Load", () =>
                    {
                        Generated.CaptumMlp.Load(path);
                        return new SafeTensorsFile();
                    }),
                })
                {
                    AssertFailsCheaply(read, header.Length, how, "'w'");
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_header_length_claiming_100_MB_fails_without_allocating_it()
        {
            byte[] file = WeightsTestData.Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], length: 99_999_999);
            AssertFailsCheaply(() => SafeTensors.Read(file), 0, "bytes", "99999999");
            AssertFailsCheaply(() => SafeTensors.Read(new WeightsTestData.NonSeekableStream(file)), 0, "non-seekable stream", "99999999");
        }

        /// <summary>Runs <paramref name="read"/> twice (the first warms up); the second must throw having allocated less than the header plus 1 MB.</summary>
        private static void AssertFailsCheaply(Func<SafeTensorsFile> read, int headerLength, string how, string mentions)
        {
            Assert.Throws<SafeTensorsFormatException>(() => read());
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<SafeTensorsFormatException>(() => read());
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < headerLength + Slack, $"{how}: {allocated:N0} bytes allocated before failing ({e.Message})");
            Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
        }
    }
}
