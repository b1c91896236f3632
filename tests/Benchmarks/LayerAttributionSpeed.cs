using System.Globalization;
using Relucent.Attribution;
using Relucent.Kernels;
using Relucent.Samples.TorchVision;

namespace Relucent.Benchmarks;

/// <summary>
/// Grad-CAM at torchvision ResNet-18's last block against a full saliency map, both at 224×224 on the sample's declaration
/// with random weights: Grad-CAM's backward pass stops at <c>layer4</c>, so it should cost a forward pass and little more.
/// The three calls are timed in turn, block after block, on one kernel thread (the least thread CPU time of each block,
/// robust to a busy machine), so that their ratios are measured side by side.
/// </summary>
public static class LayerAttributionSpeed
{
    /// <summary>torchvision's module <c>layer4</c> (the last block's output after its ReLU) in the sample's declaration.</summary>
    public const string Layer4 = "layer4.1.relu";

    public static void Run(int blocks, TextWriter output)
    {
        var rng = new Random(1);
        Dictionary<string, Tensor> tensors = Subject.Weights(ResNet18.ParameterShapes, rng);
        foreach (ParameterShape shape in ResNet18.ParameterShapes.Where(p => p.Name.EndsWith("running_var", StringComparison.Ordinal)))
        {
            tensors[shape.Name] = Tensor.FromSingle(Subject.Uniform(rng, shape.Dimensions[0], 0.5, 1.5), shape.Dimensions); // a variance is positive
        }

        ResNet18 net = ResNet18.FromTensors(tensors);
        float[] x = Subject.Uniform(rng, ResNet18.InputSize, 0, 1), logits = new float[ResNet18.OutputSize], map = new float[ResNet18.InputSize];
        var saliency = new RuleMap<float>(net, BackwardRule.Saliency);
        var gradCam = new GradCam<float>(net, Layer4);
        var cam = new float[gradCam.ResultShape.Size];
        var guided = new GuidedGradCam<float>(net, Layer4);
        var workspace = new ResNet18.Workspace();
        var calls = new (string Name, Action Call)[]
        {
            ("forward", () => net.Forward(x, logits, workspace)),
            ("saliency map (input gradient)", () => saliency.Attribute(x, 3, map)),
            ($"Grad-CAM at {Layer4} (7×7)", () => gradCam.Attribute(x, 3, cam)),
            ("Guided Grad-CAM (both passes)", () => guided.Attribute(x, 3, map)),
        };

        using KernelParallelism.Scope one = KernelParallelism.Override(threads: 1);
        var times = calls.Select(_ => new List<double>()).ToArray();
        for (int b = 0; b < blocks; b++)
        {
            for (int i = 0; i < calls.Length; i++) times[i].Add(Quick.CpuTime(calls[i].Call, 3));
        }

        double forward = times[0].Min(), full = times[1].Min();
        output.WriteLine($"ResNet-18, 3×224×224, float32, 1 kernel thread; ms per call: the least thread CPU time over {blocks} interleaved blocks (median in brackets)");
        output.WriteLine("| call | ms | × forward | × saliency map |");
        output.WriteLine("|---|---:|---:|---:|");
        for (int i = 0; i < calls.Length; i++)
        {
            double best = times[i].Min(), median = times[i].Order().ElementAt(blocks / 2);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {calls[i].Name} | {best * 1e3:F1} ({median * 1e3:F1}) | {best / forward:F2} | {best / full:F2} |"));
        }
    }
}
