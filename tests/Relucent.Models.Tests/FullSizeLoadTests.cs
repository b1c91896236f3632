using Relucent.Samples.TorchVision;

namespace Relucent.Models.Tests;

/// <summary>
/// Full-size models load a state_dict file written as <c>safetensors.torch.save_file(model.state_dict())</c> writes
/// it (num_batches_tracked as I64 included, no renaming option) in float32 and under [DoublePrecision], and give
/// finite logits at 3×224×224 that agree between the two precisions.
/// </summary>
/// <remarks>
/// One model per kind of block runs at full size: ResNet-18 (BasicBlock), ResNet-50 and the deepest, ResNet-152
/// (Bottleneck), VGG-11-BN (the largest file, 531 MB), AlexNet, MobileNetV2 and GoogLeNet. The other nine differ from
/// these only in repeat counts, and <see cref="StateDictNameTests"/> checks every name and shape of all sixteen; loading
/// them all (6 GB of files, twice) took three minutes on two busy cores.
/// </remarks>
public class FullSizeLoadTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    [InlineData("resnet152")]
    [InlineData("vgg11_bn")]
    [InlineData("alexnet")]
    [InlineData("mobilenet_v2")]
    [InlineData("googlenet")]
    public void Loads_a_torchvision_state_dict_file_and_gives_finite_logits(string name)
    {
        TorchVisionModel model = TorchVisionModels.Get(name);
        string path = Path.Combine(Path.GetTempPath(), $"relucent-{name}-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Write(path, TorchVisionStateDicts.Random(name, seed: 224));
            double[] input = Enumerable.Range(0, 3 * 224 * 224).Select(i => Math.Sin(0.001 * i) + 0.3 * Math.Cos(0.07 * i)).ToArray();
            // One network at a time: VGG-11-BN holds 0.5 GB of float32 parameters, 1 GB of float64 ones.
            float[] logits32 = Forward(model.Single(SafeTensors.Read(path)), input.Select(v => (float)v).ToArray());
            double[] logits64 = Forward(model.Double(SafeTensors.Read(path)), input);

            Assert.Equal(1000, logits64.Length);
            Assert.All(logits64, v => Assert.True(double.IsFinite(v)));
            Assert.True(logits64.Max() - logits64.Min() > 1e-3, $"{name}: logits {logits64.Min()} to {logits64.Max()}, all alike");
            Testing.CaptumFixtures.Close(logits64, logits32.Select(v => (double)v).ToArray(), 2e-3, $"{name} float32 logits against float64");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static T[] Forward<T>(IExplainer<T> net, T[] input) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(input.Length, net.InputSize);
        var logits = new T[net.OutputSize];
        net.Forward(input, logits, net.CreateWorkspace());
        return logits;
    }
}
