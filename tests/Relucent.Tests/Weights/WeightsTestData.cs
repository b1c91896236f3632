using System.Buffers.Binary;
using System.Text;

namespace Relucent.Tests.Weights
{
    /// <summary>Fixture paths and hand-made safetensors bytes for the weights tests.</summary>
    internal static class WeightsTestData
    {
        public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "captum", name);

        public static string MlpWeights => Fixture("mlp.weights.safetensors");

        public static string LenetWeights => Fixture("lenet.weights.safetensors");

        public static string MlpCases => Fixture("mlp.cases.safetensors");

        public static string LenetCases => Fixture("lenet.cases.safetensors");

        /// <summary>The mlp's parameters as its manifest lists them.</summary>
        public static ParameterShape[] MlpParameters =>
        [
            new("0.weight", 16, 8), new("0.bias", 16),
            new("2.weight", 12, 16), new("2.bias", 12),
            new("4.weight", 4, 12), new("4.bias", 4),
        ];

        /// <summary>An 8-byte length, the header text (not padded) and the buffer; <paramref name="length"/> overrides the length field.</summary>
        public static byte[] Raw(string header, byte[] buffer, ulong? length = null)
        {
            byte[] h = Encoding.UTF8.GetBytes(header);
            return Raw(h, buffer, length);
        }

        public static byte[] Raw(byte[] header, byte[] buffer, ulong? length = null)
        {
            byte[] all = new byte[8 + header.Length + buffer.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(all, length ?? (ulong)header.Length);
            header.CopyTo(all, 8);
            buffer.CopyTo(all, 8 + header.Length);
            return all;
        }

        /// <summary>The header text of a safetensors file.</summary>
        public static string HeaderOf(byte[] file)
        {
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
            return Encoding.UTF8.GetString(file, 8, n);
        }

        /// <summary>A stream that cannot seek, so its length is unknown to the reader: the members every such test stream shares.</summary>
        public abstract class ForwardOnlyStream : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        /// <summary>The bytes of a file through a stream that cannot seek.</summary>
        public sealed class NonSeekableStream(byte[] bytes) : ForwardOnlyStream
        {
            private readonly MemoryStream _inner = new(bytes, writable: false);

            // Return at most 7 bytes at a time to exercise partial reads.
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));
        }
    }
}
