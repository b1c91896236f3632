using Relucent.References.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>
/// Records a model's forward pass as Zennit sees it once its canonizers ran: a BatchNorm right after a Conv2d or
/// Linear (in leaf order, canonizers.py:165-189) merged into it and left as the identity, and a torchvision ResNet
/// block's <c>out += identity</c> replaced by <c>Sum(stack([identity, out], -1))</c> (torchvision.py:130-163).
/// The modules' own forward is not used for affine layers, so the tape's output is checked against the model's logits.
/// </summary>
public sealed class TapeBuilder
{
    private readonly Tape tape;
    private readonly Dictionary<string, nn.Module> modules;

    private TapeBuilder(nn.Module model, Tensor input)
    {
        tape = new Tape(input);
        modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        tape.FirstAffine = modules.FirstOrDefault(m => m.Value is Modules.Conv2d or Modules.Linear).Key;
        tape.FirstConvolution = modules.FirstOrDefault(m => m.Value is Modules.Conv2d).Key;
    }

    /// <summary>torchvision's ResNet with BasicBlock or Bottleneck under Zennit's ResNetCanonizer.</summary>
    public static Tape ResNet(ResNet model, Tensor input)
    {
        var b = new TapeBuilder(model, input);
        int x = b.AffineWithNorm("conv1", "bn1", b.tape.Input);
        x = b.tape.Add(new PassStep("relu", x, rectify: true));
        var maxpool = (Modules.MaxPool2d)b.modules["maxpool"];
        x = b.tape.Add(new GradientStep("maxpool", "MaxPool2d", x, maxpool.call));
        for (int l = 1; b.modules.ContainsKey($"layer{l}"); l++)
        {
            for (int k = 0; b.modules.ContainsKey($"layer{l}.{k}"); k++)
            {
                string p = $"layer{l}.{k}";
                bool bottleneck = b.modules.ContainsKey($"{p}.conv3");
                int y = b.AffineWithNorm($"{p}.conv1", $"{p}.bn1", x);
                y = b.tape.Add(new PassStep($"{p}.relu(1)", y, rectify: true));
                y = b.AffineWithNorm($"{p}.conv2", $"{p}.bn2", y);
                if (bottleneck)
                {
                    y = b.tape.Add(new PassStep($"{p}.relu(2)", y, rectify: true));
                    y = b.AffineWithNorm($"{p}.conv3", $"{p}.bn3", y);
                }
                int identity = b.modules.ContainsKey($"{p}.downsample") ? b.AffineWithNorm($"{p}.downsample.0", $"{p}.downsample.1", x) : x;
                int sum = b.tape.Add(new SumStep($"{p}.canonizer_sum", identity, y));
                x = b.tape.Add(new PassStep(p, sum, rectify: true));
            }
            b.tape.Named[$"layer{l}"] = x;
        }
        var avgpool = (Modules.AdaptiveAvgPool2d)b.modules["avgpool"];
        x = b.tape.Add(new NormStep("avgpool", "AdaptiveAvgPool2d", x, avgpool.call));
        x = b.tape.Add(new GradientStep("flatten", "torch.flatten", x, t => t.flatten(1)));
        b.Affine("fc", null, x);
        return b.tape;
    }

    /// <summary>torchvision's VGG and AlexNet: features, avgpool, torch.flatten, classifier (VGGCanonizer merges VGG-BN's BatchNorms).</summary>
    public static Tape FeaturesClassifier(FeaturesClassifierModel model, Tensor input)
    {
        var b = new TapeBuilder(model, input);
        int x = b.Chain("features.", Children("features", b.modules), b.tape.Input);
        x = b.tape.Add(new NormStep("avgpool", "AdaptiveAvgPool2d", x, ((Modules.AdaptiveAvgPool2d)b.modules["avgpool"]).call));
        x = b.tape.Add(new GradientStep("flatten", "torch.flatten", x, t => t.flatten(1)));
        b.Chain("classifier.", Children("classifier", b.modules), x);
        return b.tape;
    }

    /// <summary>An nn.Sequential of the kinds below (the tiny rule networks), a <see cref="ResidualBlock"/> among them.</summary>
    public static Tape Sequential(Modules.Sequential model, Tensor input)
    {
        var b = new TapeBuilder(model, input);
        b.Chain("", model.named_children().ToList(), b.tape.Input);
        return b.tape;
    }

    private static List<(string, nn.Module)> Children(string name, Dictionary<string, nn.Module> modules) =>
        modules[name].named_children().ToList();

    /// <summary>Records a chain of modules named "{prefix}{child name}"; a BatchNorm right after an affine layer is merged into it.</summary>
    private int Chain(string prefix, IReadOnlyList<(string Name, nn.Module Module)> children, int x)
    {
        for (int i = 0; i < children.Count; i++)
        {
            var (name, module) = children[i];
            string full = prefix + name;
            switch (module)
            {
                case Modules.Conv2d or Modules.Linear:
                    bool merge = i + 1 < children.Count && children[i + 1].Module is Modules.BatchNorm2d;
                    x = Affine(full, merge ? (Modules.BatchNorm2d)children[i + 1].Module : null, x);
                    if (merge) x = tape.Add(new PassStep(prefix + children[++i].Name, x, rectify: false));
                    break;
                case Rectifier or Modules.ReLU:
                    x = tape.Add(new PassStep(full, x, rectify: true));
                    break;
                case Modules.MaxPool2d or Modules.Flatten or Modules.Dropout:
                    x = tape.Add(new GradientStep(full, module is Modules.Dropout ? "Dropout (eval)" : module.GetType().Name, x, ((nn.Module<Tensor, Tensor>)module).call));
                    break;
                case Modules.AvgPool2d or Modules.AdaptiveAvgPool2d:
                    x = tape.Add(new NormStep(full, module.GetType().Name, x, ((nn.Module<Tensor, Tensor>)module).call));
                    break;
                case ResidualBlock block:
                    int y = Chain(full + ".", block.BranchLayers, x);
                    int identity = block.Shortcut is null ? x : Chain(full + ".downsample.", block.Shortcut.named_children().ToList(), x);
                    x = tape.Add(new SumStep(full, identity, y));
                    break;
                default:
                    throw new NotSupportedException($"{full}: {module.GetType().Name} has no LRP handling here (an unmerged BatchNorm would be Zennit's Pass over a non-identity)");
            }
        }
        return x;
    }

    private int AffineWithNorm(string affine, string norm, int x)
    {
        x = Affine(affine, (Modules.BatchNorm2d)modules[norm], x);
        return tape.Add(new PassStep(norm, x, rectify: false));
    }

    /// <summary>Records an affine step with the BatchNorm <paramref name="norm"/> merged in as MergeBatchNorm.merge_batch_norm does.</summary>
    private int Affine(string name, Modules.BatchNorm2d? norm, int x)
    {
        Tensor weight;
        Tensor? bias;
        ConvolutionShape? shape = null;
        switch (modules[name])
        {
            case Modules.Conv2d conv:
                weight = conv.weight!.detach();
                bias = conv.bias?.detach();
                shape = new ConvolutionShape(conv.stride, Padding(conv), conv.dilation, conv.groups);
                break;
            case Modules.Linear linear:
                weight = linear.weight!.detach();
                bias = linear.bias?.detach();
                break;
            default:
                throw new NotSupportedException($"{name}: {modules[name].GetType().Name} is not Conv2d or Linear");
        }
        if (norm is not null)
        {
            // canonizers.py:130-143, in the same order of operations
            var denominator = (norm.running_var! + norm.eps).pow(0.5);
            var scale = norm.weight!.detach() / denominator;
            var index = new long[weight.dim()];
            Array.Fill(index, 1L);
            index[0] = -1;
            var originalBias = bias ?? torch.zeros_like(norm.bias!.detach());
            weight = weight * scale.view(index);
            bias = (originalBias - norm.running_mean!) * scale + norm.bias!.detach();
        }
        return tape.Add(new AffineStep(name, x, weight, bias, shape));
    }

    private static long[] Padding(Modules.Conv2d conv) =>
        conv.padding ?? throw new NotSupportedException("a Conv2d with padding 'same' or 'valid' by name");
}
