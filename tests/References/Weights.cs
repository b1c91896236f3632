using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>Seeded random weights with non-trivial BatchNorm statistics (the issues' recipes).</summary>
public static class Weights
{
    /// <summary>
    /// Convolution and Linear weights N(0, 2/fan_in) (He), biases N(0, 0.1²); BatchNorm running_mean N(0, 0.1²),
    /// running_var U(0.5, 1.5), γ U(0.5, 1.5), β N(0, 0.1²). Modules in named_modules() order, each drawn from
    /// <paramref name="generator"/>, so a seed fixes every value.
    /// </summary>
    public static void Randomize(nn.Module model, Generator generator)
    {
        using var _ = torch.no_grad();
        foreach (var (_, m) in model.named_modules())
        {
            switch (m)
            {
                case Modules.Conv2d conv:
                    Normal(conv.weight, Math.Sqrt(2.0 / (conv.weight.numel() / conv.weight.shape[0])), generator);
                    if (conv.bias is not null) Normal(conv.bias, 0.1, generator);
                    break;
                case Modules.Linear linear:
                    Normal(linear.weight, Math.Sqrt(2.0 / linear.weight.shape[1]), generator);
                    if (linear.bias is not null) Normal(linear.bias, 0.1, generator);
                    break;
                case Modules.BatchNorm2d bn:
                    Normal(bn.running_mean!, 0.1, generator);
                    Uniform(bn.running_var!, 0.5, 1.5, generator);
                    Uniform(bn.weight, 0.5, 1.5, generator);
                    Normal(bn.bias!, 0.1, generator);
                    break;
            }
        }
    }

    /// <summary>
    /// BatchNorm calibrated on a batch (MobileNetV2, GoogLeNet): γ ~ U(gammaLow, gammaHigh) and β ~ N(betaMean, betaStd²)
    /// first, then one forward pass of <paramref name="batch"/> in train mode with momentum 1 sets every running_mean
    /// and running_var to that batch's statistics (unbiased variance, as PyTorch does; num_batches_tracked becomes 1),
    /// then γ is perturbed by a factor U(0.8, 1.25) so the statistics are not exactly the batch's.
    /// </summary>
    public static void Calibrate(nn.Module<Tensor, Tensor> model, Tensor batch, Generator generator,
        double gammaLow, double gammaHigh, double betaMean, double betaStd)
    {
        var norms = model.named_modules().Select(m => m.module).OfType<Modules.BatchNorm2d>().ToList();
        using (torch.no_grad())
        {
            foreach (var bn in norms)
            {
                Uniform(bn.weight, gammaLow, gammaHigh, generator);
                bn.bias!.copy_(torch.randn(bn.bias.shape, bn.bias.dtype, generator: generator) * betaStd + betaMean);
                bn.momentum = 1.0;
            }
            model.train();
            model.call(batch);
            model.eval();
            foreach (var bn in norms)
            {
                bn.momentum = 0.1;
                bn.weight.mul_(torch.rand(bn.weight.shape, bn.weight.dtype, generator: generator) * 0.45 + 0.8);
            }
        }
    }

    private static void Normal(Tensor t, double std, Generator g) =>
        t.copy_(torch.randn(t.shape, t.dtype, generator: g) * std);

    private static void Uniform(Tensor t, double low, double high, Generator g) =>
        t.copy_(torch.rand(t.shape, t.dtype, generator: g) * (high - low) + low);
}
