using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Relucent.Testing;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// An input image is untrusted too: <c>explain explain</c> reads a PNG's size from its header and refuses a wrong one
/// before decoding, so a small file claiming 30000×30000 pixels (2.7 GB decoded) costs nothing. Run in a child
/// process whose heap is capped below what decoding would take.
/// </summary>
public class ImageAttackTests
{
    /// <summary><c>explain explain args[0] --weights args[1]</c>: the exit code, then standard error.</summary>
    public static string ExplainImage(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Relucent.Explain.Cli.Run(new[] { "explain", args[0], "--weights", args[1] }, output, error);
        return code.ToString(CultureInfo.InvariantCulture) + "\n" + error;
    }

    [Fact]
    public void A_PNG_claiming_30000_by_30000_pixels_is_refused_from_its_header()
    {
        using var folder = new AttackFolder();
        string png = Path.Combine(folder.Model, "huge.png");
        File.WriteAllBytes(png, Png(30_000, 30_000));
        string weights = Path.Combine(folder.Model, "weights.safetensors");
        File.WriteAllBytes(weights, new byte[16]); // never read: the image is refused first

        Isolated.Outcome outcome = Isolated.Run(ExplainImage, TimeSpan.FromSeconds(120), 256L << 20, png, weights);
        Assert.True(outcome.Completed && outcome.Result != null, outcome.ToString());
        Assert.StartsWith("2\n", outcome.Result);
        Assert.Contains("is 30000×30000 pixels; the network expects 32×32", outcome.Result);
    }

    /// <summary>A PNG signature, an IHDR of <paramref name="width"/> × <paramref name="height"/> RGB, a tiny IDAT and IEND: a header that lies about a picture it does not hold.</summary>
    private static byte[] Png(int width, int height)
    {
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        byte[] header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(bytes, "IHDR", header);
        Chunk(bytes, "IDAT", new byte[] { 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 });
        Chunk(bytes, "IEND", Array.Empty<byte>());
        return bytes.ToArray();
    }

    private static void Chunk(List<byte> bytes, string type, byte[] data)
    {
        byte[] length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        bytes.AddRange(length);
        byte[] typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        bytes.AddRange(typed);
        byte[] crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        bytes.AddRange(crc);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }

        return ~crc;
    }
}
