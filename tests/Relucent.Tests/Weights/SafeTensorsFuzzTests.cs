using System.Buffers.Binary;
using System.Diagnostics;
using Xunit;
using static Relucent.Tests.Weights.WeightsTestData;

namespace Relucent.Tests.Weights
{
    public class SafeTensorsFuzzTests
    {
        private const int Cases = 10_000;

        [Fact]
        public async Task Mutated_files_either_load_or_fail_with_SafeTensorsFormatException()
        {
            byte[] original = File.ReadAllBytes(MlpWeights);

            // WaitAsync throws TimeoutException if the reader hangs on a mutated file.
            (int loaded, int rejected, List<string> failures) =
                await Task.Run(() => Fuzz(original, seed: 20240601, cases: Cases)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
            Assert.Equal(Cases, loaded + rejected);
            Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} mutations were rejected");
            Assert.True(loaded > 0, "no mutation loaded: the fuzzer only tests the error path");
        }

        private static (int Loaded, int Rejected, List<string> Failures) Fuzz(byte[] original, int seed, int cases)
        {
            var random = new Random(seed);
            int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
            string header = HeaderOf(original);
            byte[] buffer = original[(8 + headerLength)..];
            int loaded = 0, rejected = 0;
            var failures = new List<string>();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < cases; i++)
            {
                (byte[] bytes, string what) = Mutate(random, original, header, buffer);
                try
                {
                    SafeTensorsFile file = i % 8 == 0
                        ? SafeTensors.Read(new NonSeekableStream(bytes))
                        : SafeTensors.Read(bytes);
                    foreach (Tensor t in file.Values)
                    {
                        if (t.ByteLength != t.ElementCount * t.DType.ElementSize()) failures.Add($"case {i} ({what}): inconsistent tensor {t}");
                    }

                    loaded++;
                }
                catch (SafeTensorsFormatException e)
                {
                    if (string.IsNullOrWhiteSpace(e.Message)) failures.Add($"case {i} ({what}): empty message");
                    rejected++;
                }
                catch (Exception e)
                {
                    failures.Add($"case {i} ({what}): {e.GetType().FullName}: {e.Message}");
                }
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"fuzzing took {clock.Elapsed}");
            return (loaded, rejected, failures);
        }

        private static (byte[] Bytes, string What) Mutate(Random random, byte[] original, string header, byte[] buffer)
        {
            byte[] bytes = (byte[])original.Clone();
            switch (random.Next(9))
            {
                case 0: // flip bytes anywhere
                {
                    int n = 1 + random.Next(4);
                    for (int k = 0; k < n; k++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    return (bytes, "flip");
                }

                case 1: // flip bytes in the header
                {
                    int n = 1 + random.Next(3);
                    for (int k = 0; k < n; k++) bytes[8 + random.Next(header.Length)] = (byte)random.Next(256);
                    return (bytes, "header byte");
                }

                case 2: // truncate
                    return (bytes[..random.Next(bytes.Length)], "truncate");

                case 3: // inflate or shrink the header length
                {
                    ulong[] lengths = [0, 1, 7, (ulong)header.Length - 1, (ulong)header.Length + 1, (ulong)bytes.Length, 99_999_999, 100_000_000, 100_000_001, ulong.MaxValue, (ulong)random.NextInt64()];
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, lengths[random.Next(lengths.Length)]);
                    return (bytes, "length");
                }

                case 4: // edit a number in the header (offsets and shapes)
                {
                    var numbers = System.Text.RegularExpressions.Regex.Matches(header, "[0-9]+");
                    var m = numbers[random.Next(numbers.Count)];
                    string[] replacements = ["0", "-1", "1", (long.Parse(m.Value) + 4).ToString(), (long.Parse(m.Value) - 4).ToString(), "18446744073709551615", "18446744073709551616", "1e3", "2147483648", "4.0"];
                    string edited = header[..m.Index] + replacements[random.Next(replacements.Length)] + header[(m.Index + m.Length)..];
                    return (Raw(edited, buffer), "number");
                }

                case 5: // replace a dtype or a key
                {
                    string[] from = ["F32", "shape", "data_offsets", "dtype", "[", "]", "{", "}", ",", ":", "\""];
                    string[] to = ["F64", "F16", "BF16", "I64", "I32", "U8", "f32", "", "null", "[]", "{}", "\"x\"", "[0,0]", "0", "true"];
                    string f = from[random.Next(from.Length)];
                    int at = header.IndexOf(f, random.Next(header.Length), StringComparison.Ordinal);
                    if (at < 0) at = header.IndexOf(f, StringComparison.Ordinal);
                    string edited = header[..at] + to[random.Next(to.Length)] + header[(at + f.Length)..];
                    return (Raw(edited, buffer), "token");
                }

                case 6: // add or remove data bytes
                {
                    byte[] data = random.Next(2) == 0 ? buffer[..^random.Next(1, 9)] : [.. buffer, .. new byte[random.Next(1, 9)]];
                    return (Raw(header, data), "buffer size");
                }

                case 7: // pad or prefix the header
                {
                    string[] pads = [" ", "\n", "\0", "  ", "\t"];
                    string pad = pads[random.Next(pads.Length)];
                    string edited = random.Next(2) == 0 ? header + pad : pad + header;
                    return (Raw(edited, buffer), "pad");
                }

                default: // random garbage of random size, sometimes with a plausible length
                {
                    byte[] garbage = new byte[random.Next(64)];
                    random.NextBytes(garbage);
                    if (garbage.Length >= 8 && random.Next(2) == 0) BinaryPrimitives.WriteUInt64LittleEndian(garbage, (ulong)random.Next(garbage.Length));
                    return (garbage, "garbage");
                }
            }
        }

        [Fact]
        public void Every_truncation_of_a_file_is_rejected()
        {
            byte[] original = File.ReadAllBytes(MlpWeights);
            for (int n = 0; n < original.Length; n++)
            {
                byte[] cut = original[..n];
                Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(cut));
            }

            Assert.Equal(6, SafeTensors.Read(original).Count);
        }
    }
}
