using Relucent.Samples.Photographs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Onnx.Tests.Pretrained;

/// <summary>samples/Photographs reads 224×224 PNGs as planar RGB, and names a photograph of any other size.</summary>
public class PhotographTests
{
    [Fact]
    public void A_photograph_is_read_as_planar_RGB()
    {
        string path = Path.Combine(Path.GetTempPath(), $"relucent-photograph-{Guid.NewGuid():N}.png");
        try
        {
            using (var image = new Image<Rgb24>(Photograph.Side, Photograph.Side, new Rgb24(10, 20, 30)))
            {
                image[5, 7] = new Rgb24(200, 100, 50);
                image.SaveAsPng(path);
            }

            Photograph photograph = Photograph.Load(path);
            const int plane = Photograph.Side * Photograph.Side;
            Assert.Equal(3 * plane, photograph.Rgb.Length);
            int pixel = 7 * Photograph.Side + 5;
            Assert.Equal((200f, 100f, 50f), (photograph.Rgb[pixel], photograph.Rgb[plane + pixel], photograph.Rgb[2 * plane + pixel]));
            Assert.Equal((10f, 20f, 30f), (photograph.Rgb[0], photograph.Rgb[plane], photograph.Rgb[2 * plane]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_photograph_of_another_size_is_refused_with_its_size()
    {
        string path = Path.Combine(Path.GetTempPath(), $"relucent-photograph-{Guid.NewGuid():N}.png");
        try
        {
            using (var image = new Image<Rgb24>(100, 80)) image.SaveAsPng(path);
            var e = Assert.Throws<InvalidDataException>(() => Photograph.Load(path));
            Assert.Contains($"'{path}' is 100×80; the network takes 224×224 photographs", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
