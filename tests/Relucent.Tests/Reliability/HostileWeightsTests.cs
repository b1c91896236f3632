using System.Diagnostics;
using System.Globalization;
using System.Text;
using Relucent.Testing;
using Relucent.Tests.Weights;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// Weights files against an attacker: a non-seekable stream costs memory bounded by what it really sends, a
    /// header's cost is one pass and its entries, every message is short whatever the file holds, a duplicated field is
    /// refused, and <c>Save</c> keeps the target's owner, permissions and links. Attacks on memory run in a child process
    /// whose heap is capped, where exhaustion fails the test instead of the machine.
    /// </summary>
    public class HostileWeightsTests
    {
        /// <summary>A non-seekable stream of a 16-byte tensor followed by <c>args[0]</c> MiB of zeros, made as it is read.</summary>
        public static string ReadStreamWithTrailingBytes(string[] args)
        {
            long extra = long.Parse(args[0], CultureInfo.InvariantCulture) << 20;
            byte[] file = WeightsTestData.Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
            try
            {
                SafeTensors.Read(new ZeroTailStream(file, extra));
                return "loaded";
            }
            catch (SafeTensorsFormatException e)
            {
                return e.Message;
            }
        }

        /// <summary>A non-seekable stream whose header declares <c>args[0]</c> MiB of tensors and sends them: loads within a capped heap.</summary>
        public static string ReadLargeStream(string[] args)
        {
            int mib = int.Parse(args[0], CultureInfo.InvariantCulture);
            long bytes = (long)mib << 20;
            byte[] head = WeightsTestData.Raw($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{bytes / 4}],\"data_offsets\":[0,{bytes}]}}}}", []);
            SafeTensorsFile file = SafeTensors.Read(new ZeroTailStream(head, bytes));
            return file["w"].ElementCount.ToString(CultureInfo.InvariantCulture);
        }

        [Fact]
        public void A_non_seekable_stream_with_a_gigabyte_after_its_tensors_is_refused_without_reading_it()
        {
            // Before: the whole remainder was copied before the layout was checked (a 1 GB stream: 2 GB resident).
            Isolated.Outcome outcome = Isolated.Run(ReadStreamWithTrailingBytes, TimeSpan.FromSeconds(120), 128L << 20, "1024");
            Assert.True(outcome.Completed, outcome.ToString());
            Assert.Contains("holds more bytes after the 16-byte data buffer", outcome.Result);
        }

        [Fact]
        public void A_non_seekable_stream_costs_about_what_its_tensors_hold()
        {
            // 256 MiB of tensors through a heap capped at 640 MiB: the tensor, and its array growing as bytes arrive.
            Isolated.Outcome outcome = Isolated.Run(ReadLargeStream, TimeSpan.FromSeconds(120), 640L << 20, "256");
            Assert.True(outcome.Completed && outcome.Result == (64L << 20).ToString(CultureInfo.InvariantCulture), outcome.ToString());
        }

        [Fact]
        public void A_huge_shape_in_the_header_is_refused_at_once_with_a_short_message()
        {
            // A 30-million-entry shape (about 60 MB of header) made a 148-million-character message and cost gigabytes.
            var header = new StringBuilder("{\"w\":{\"dtype\":\"F32\",\"shape\":[1");
            for (int i = 0; i < 30_000_000; i++) header.Append(",1");
            header.Append("],\"data_offsets\":[0,4]}}");
            byte[] file = WeightsTestData.Raw(header.ToString(), new byte[4]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(file));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("more than 64 dimensions", e.Message);
            Assert.True(e.Message.Length < 1_000, $"{e.Message.Length} characters");
            Assert.True(allocated < file.Length + (1 << 20), $"{allocated:N0} bytes allocated for a {file.Length:N0}-byte file");
        }

        [Fact]
        public void A_header_of_many_entries_costs_a_bounded_multiple_of_its_size()
        {
            // 200,000 empty tensors (a 12 MB header): the parse itself builds no document, only the entries.
            var header = new StringBuilder("{");
            for (int i = 0; i < 200_000; i++) header.Append(i == 0 ? "" : ",").Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
            header.Append('}');
            byte[] file = WeightsTestData.Raw(header.ToString(), []);
            SafeTensors.Read(file); // warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            SafeTensorsFile read = SafeTensors.Read(file);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(200_000, read.Count);
            Assert.True(allocated < 16L * file.Length, $"{allocated:N0} bytes allocated for a {file.Length:N0}-byte header ({(double)allocated / file.Length:F1} per byte)");
        }

        [Fact]
        public void Names_and_values_from_the_file_are_cut_short_in_messages()
        {
            string name = new('n', 10_000_000);
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(WeightsTestData.Raw($"{{\"{name}\":{{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}}}", new byte[4])));
            Assert.True(e.Message.Length < 1_000, $"{e.Message.Length} characters");
            string offsets = "[0," + new string('9', 5_000_000) + "]";
            e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(WeightsTestData.Raw($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{offsets}}}}}", new byte[4])));
            Assert.True(e.Message.Length < 1_000, $"{e.Message.Length} characters");
        }

        [Theory]
        [InlineData("\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]", "\"dtype\"")]
        [InlineData("\"dtype\":\"F32\",\"shape\":[1],\"shape\":[2],\"data_offsets\":[0,4]", "\"shape\"")]
        [InlineData("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8],\"data_offsets\":[0,4]", "\"data_offsets\"")]
        public void A_field_given_twice_in_one_entry_is_refused(string fields, string field)
        {
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(WeightsTestData.Raw($"{{\"w\":{{{fields}}}}}", new byte[4])));
            Assert.Contains($"tensor 'w' names {field} twice", e.Message);
        }

        [Fact]
        public void Save_keeps_the_target_s_permissions_owner_and_links()
        {
            if (OperatingSystem.IsWindows()) return;
            string folder = Directory.CreateTempSubdirectory("relucent-save-").FullName;
            try
            {
                var net = Generated.CaptumMlp.FromTensors(SafeTensors.Read(WeightsTestData.MlpWeights));

                // Permissions: a private file stays private.
                string target = Path.Combine(folder, "private.safetensors");
                File.WriteAllText(target, "old");
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                bool root = Environment.UserName == "root";
                if (root) Run("chown", "4321:4321", target);
                net.Save(target);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
                if (root) Assert.Equal("4321:4321", Run("stat", "-c", "%u:%g", target));
                Assert.Equal(SafeTensors.Read(WeightsTestData.MlpWeights).Keys.Order(), SafeTensors.Read(target).Keys.Order());

                // A symbolic link stays a link, and the file it names gets the weights.
                string real = Path.Combine(folder, "real.safetensors");
                File.WriteAllText(real, "old");
                string link = Path.Combine(folder, "link.safetensors");
                File.CreateSymbolicLink(link, real);
                net.Save(link);
                Assert.NotNull(new FileInfo(link).LinkTarget);
                Assert.Equal(6, SafeTensors.Read(real).Count);

                // A link to a file not made yet: the file is made where the link points.
                string dangling = Path.Combine(folder, "dangling.safetensors");
                File.CreateSymbolicLink(dangling, Path.Combine(folder, "later.safetensors"));
                net.Save(dangling);
                Assert.NotNull(new FileInfo(dangling).LinkTarget);
                Assert.Equal(6, SafeTensors.Read(Path.Combine(folder, "later.safetensors")).Count);

                // Names of 243 to 255 characters (the longest a file system allows) work: the temporary file's name is short.
                foreach (int length in new[] { 243, 250, 255 })
                {
                    string longName = Path.Combine(folder, new string('w', length - ".safetensors".Length) + ".safetensors");
                    net.Save(longName);
                    net.Save(longName); // and over an existing one
                    Assert.Equal(6, SafeTensors.Read(longName).Count);
                }

                Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private static string Run(string program, params string[] args)
        {
            using Process process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true })!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            return output;
        }

        /// <summary>A non-seekable stream: <c>head</c>, then <c>zeros</c> zero bytes made as they are read.</summary>
        private sealed class ZeroTailStream(byte[] head, long zeros) : WeightsTestData.ForwardOnlyStream
        {
            private long _position;

            public override int Read(byte[] buffer, int offset, int count)
            {
                long total = head.Length + zeros;
                int n = (int)Math.Min(count, total - _position);
                int fromHead = (int)Math.Clamp(head.Length - _position, 0, n);
                if (fromHead > 0) Array.Copy(head, _position, buffer, offset, fromHead);
                Array.Clear(buffer, offset + fromHead, n - fromHead);
                _position += n;
                return n;
            }
        }
    }
}
