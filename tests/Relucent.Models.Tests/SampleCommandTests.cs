using Relucent.Samples.TorchVision;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Models.Tests;

/// <summary>The sample's command line as its README shows it: a state_dict loaded, a photograph classified and explained.</summary>
public class SampleCommandTests
{
    [Fact]
    public void Explains_a_photograph_with_a_torchvision_state_dict()
    {
        string folder = Directory.CreateTempSubdirectory("relucent-torchvision-").FullName;
        try
        {
            string stateDict = Path.Combine(folder, "resnet18.safetensors"), photo = Path.Combine(folder, "photo.png"), maps = Path.Combine(folder, "maps.png");
            SafeTensors.Write(stateDict, TorchVisionStateDicts.Random("resnet18", seed: 18));
            using (var image = new Image<Rgb24>(300, 260))
            {
                image.ProcessPixelRows(rows =>
                {
                    for (int y = 0; y < rows.Height; y++)
                    {
                        Span<Rgb24> row = rows.GetRowSpan(y);
                        for (int x = 0; x < row.Length; x++) row[x] = new Rgb24((byte)x, (byte)y, (byte)(x ^ y));
                    }
                });
                image.SaveAsPng(photo);
            }

            var output = new StringWriter();
            Assert.Equal(0, TorchVisionCommand.Run([ "resnet18", stateDict, photo, maps ], output));
            Assert.Contains("top classes (ImageNet index: logit): ", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("GuidedBackprop of class ", output.ToString(), StringComparison.Ordinal);
            using Image written = Image.Load(maps);
            Assert.True(written.Width >= 4 * 224 && written.Height >= 224 && written.Height < 2 * 224,
                $"{written.Width}×{written.Height} pixels: the picture and three maps in a row");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Lists_the_models_and_refuses_an_unknown_one()
    {
        var output = new StringWriter();
        Assert.Equal(0, TorchVisionCommand.Run([], output));
        Assert.Equal(16, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("resnet50", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(2, TorchVisionCommand.Run(["resnet51"], output));
        Assert.StartsWith("no model 'resnet51'; the models are resnet18, ", output.ToString(), StringComparison.Ordinal);
    }
}
