using Relucent.Attribution;
using Relucent.Model;
using Relucent.Testing;

namespace Relucent.Models.Tests;

/// <summary>
/// The layer attribution methods on the fixtures' narrow models against libtorch: the layer activation A and the layer
/// gradient ∂logit/∂A of every fixture layer as <c>torch.autograd.grad</c> gives them, Grad-CAM as Captum's
/// <c>LayerGradCam</c> (<c>relu_attributions=False</c>) computes it from those two tensors, Grad-CAM++ as
/// pytorch-grad-cam's weights do, and Guided Grad-CAM as Captum's (libtorch's guided map times the fixture's ReLU(Grad-CAM)
/// read at PyTorch's nearest source). Float64 to 1e-6 of each tensor's largest magnitude, float32 to 2e-3.
/// </summary>
public class LayerAttributionAgreementTests
{
    public static TheoryData<string> Models => new(NarrowModels.All.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void Float64_layer_maps_agree_with_libtorch(string model) => Agree<double>(model, tolerance: 1e-6);

    [Theory]
    [MemberData(nameof(Models))]
    public void Float32_layer_maps_agree_with_libtorch(string model) => Agree<float>(model, tolerance: 2e-3);

    private static void Agree<T>(string model, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafeTensorsFile cases = TorchVisionFixtures.Cases(model);
        var net = (ILayerExplainer<T>)NarrowModels.Load<T>(model, TorchVisionFixtures.StateDict(model));
        T[] input = cases["input.0"].ToArray<T>();
        var layers = TorchVisionFixtures.LayerGradients(cases).ToList();
        Assert.NotEmpty(layers);
        foreach (var (target, module) in layers)
        {
            string layer = DeclaredName(net, module);
            Tensor a = cases[$"activation.0.{module}"];
            double[] activation = a.ToDouble(), gradient = cases[$"gradient.0.target{target}.{module}"].ToDouble();
            Assert.Equal(a.Shape.ToArray(), net.NamedLayers.Single(l => l.Name == layer).Shape.Dimensions);
            string what = $"{model} at {module} ({layer}), target {target}";

            Close(activation, new LayerActivation<T>(net, layer).Attribute(input), tolerance, $"{what}: activation");
            Close(gradient, new LayerGradient<T>(net, layer).Attribute(input, target), tolerance, $"{what}: gradient");
            double[] gradCam = Cam(activation, gradient, a.Shape[0], GradCamWeight);
            Close(gradCam, new GradCam<T>(net, layer).Attribute(input, target), tolerance, $"{what}: Grad-CAM");
            Close(Cam(activation, gradient, a.Shape[0], PlusPlusWeight), new GradCamPlusPlus<T>(net, layer).Attribute(input, target), tolerance,
                $"{what}: Grad-CAM++");

            if (cases.Keys.Contains($"guidedbackprop.0.target{target}"))
            {
                Tensor map = cases[$"guidedbackprop.0.target{target}"];
                Shape inputShape = Shape.Image(map.Shape[0], map.Shape[1], map.Shape[2]);
                double[] expected = GuidedGradCam(map.ToDouble(), inputShape, gradCam, a.Shape[1], a.Shape[2]);
                Close(expected, new GuidedGradCam<T>(net, layer).Attribute(input, target), tolerance, $"{what}: Guided Grad-CAM");
            }
        }
    }

    /// <summary>
    /// The declaration's name for torchvision's module: the last named layer, in forward order, that is the module or lies
    /// inside it (<c>layer4</c> is <c>layer4.1.relu</c>, the last block's ReLU after its sum; <c>features.18</c> is <c>features.18.2</c>).
    /// </summary>
    private static string DeclaredName<T>(ILayerExplainer<T> net, string module) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string? found = net.NamedLayers.Select(l => l.Name).LastOrDefault(n => n == module || n.StartsWith(module + ".", StringComparison.Ordinal));
        Assert.True(found is not null, $"no named layer is torchvision's module {module}");
        return found!;
    }

    // Σ_k w_k · A_k, each w_k from channel k's activation and gradient planes: Captum's LayerGradCam before its ReLU,
    // pytorch-grad-cam's get_cam_image before its np.maximum.
    private static double[] Cam(double[] activation, double[] gradient, int channels, Func<double[], double[], double> weight)
    {
        int plane = activation.Length / channels;
        var cam = new double[plane];
        for (int k = 0; k < channels; k++)
        {
            double[] a = activation[(k * plane)..((k + 1) * plane)], g = gradient[(k * plane)..((k + 1) * plane)];
            double w = weight(a, g);
            for (int p = 0; p < plane; p++) cam[p] += w * a[p];
        }

        return cam;
    }

    // Captum: grads.mean over (h, w).
    private static double GradCamWeight(double[] a, double[] g) => g.Average();

    // pytorch-grad-cam's GradCAMPlusPlus.get_cam_weights: aij = g²/(2g² + ΣA·g³ + 1e-6), 0 where g = 0; Σ max(g, 0)·aij.
    private static double PlusPlusWeight(double[] a, double[] g)
    {
        double sumA = a.Sum(), weight = 0;
        foreach (double gi in g)
        {
            double aij = gi == 0 ? 0 : gi * gi / (2 * gi * gi + sumA * gi * gi * gi + 1e-6);
            weight += Math.Max(gi, 0) * aij;
        }

        return weight;
    }

    // Captum's GuidedGradCam: guided map × F.interpolate(relu(cam), input size, mode="nearest"); PyTorch's nearest reads
    // source min(⌊dst · (float)(in/out)⌋, in − 1), the scale a float32.
    private static double[] GuidedGradCam(double[] guided, Shape input, double[] cam, int h, int w)
    {
        int channels = input.Channels, height = input.Height, width = input.Width;
        float rowScale = (float)h / height, columnScale = (float)w / width;
        var result = new double[guided.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < height; i++)
            {
                int si = Math.Min((int)MathF.Floor(i * rowScale), h - 1);
                for (int j = 0; j < width; j++)
                {
                    int sj = Math.Min((int)MathF.Floor(j * columnScale), w - 1);
                    int at = (c * height + i) * width + j;
                    result[at] = guided[at] * Math.Max(cam[si * w + sj], 0);
                }
            }
        }

        return result;
    }

    private static void Close<T>(double[] expected, T[] actual, double tolerance, string what) where T : unmanaged, IFloatingPointIeee754<T> =>
        CaptumFixtures.Close(expected, actual.Select(double.CreateChecked).ToArray(), tolerance, what);
}
