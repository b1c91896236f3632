using System.Diagnostics;
using Relucent;

namespace Relucent.Benchmarks;

/// <summary>
/// Issue 20's cost bound: an LRP map against a saliency map of the same network, both whole calls (forward and backward)
/// through the span overloads, measured side by side in one process, in alternating blocks so that a change in the
/// machine's load hits both. <c>dotnet run -c Release -- lrp</c>.
/// </summary>
public static class LrpCost
{
    private static readonly BackwardRule[] Rules = { BackwardRule.EpsilonPlus, BackwardRule.EpsilonAlpha2Beta1, BackwardRule.EpsilonGammaBox };

    public static void Run(TextWriter output)
    {
        output.WriteLine("network        rule                  saliency µs    LRP µs   LRP / saliency   (median of 21 alternating blocks)");
        Measure("lrp_vgg", LrpVgg.Create(seed: 1), output);
        Measure("lrp_resnet", LrpResNet.Create(seed: 1), output);
    }

    private static void Measure<TNet>(string name, TNet net, TextWriter output) where TNet : IExplainer<float>
    {
        var rng = new Random(3);
        float[] input = Subject.Uniform(rng, net.InputSize, -2, 2), seed = new float[net.OutputSize], result = new float[net.InputSize];
        seed[1] = 1;
        IWorkspace workspace = net.CreateWorkspace();
        void Call(BackwardRule rule) => net.Explain(rule, input, seed, result, workspace);
        foreach (BackwardRule rule in Rules)
        {
            for (int i = 0; i < 20; i++)
            {
                Call(BackwardRule.Saliency);
                Call(rule);
            }
            int calls = 10;
            var saliency = new List<double>();
            var lrp = new List<double>();
            for (int block = 0; block < 21; block++)
            {
                saliency.Add(Time(() => Call(BackwardRule.Saliency), calls));
                lrp.Add(Time(() => Call(rule), calls));
            }
            double s = Quick.Median(saliency), l = Quick.Median(lrp);
            output.WriteLine($"{name,-14} {rule,-21} {s,11:F1} {l,9:F1} {l / s,16:F2}");
        }
    }

    private static double Time(Action action, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
    }
}

/// <summary>A VGG-style network with BatchNorm on 3×64×64 (its BatchNorms are merged into the convolutions for LRP).</summary>
[Saliency, EpsilonPlus, EpsilonAlpha2Beta1, EpsilonGammaBox(-3, 3)]
public partial class LrpVgg
{
    static readonly Network Spec = Net.Input(3, 64, 64)
        .Conv2D(32, kernel: 3, padding: 1).BatchNorm().ReLU()
        .Conv2D(32, kernel: 3, padding: 1).BatchNorm().ReLU()
        .MaxPool(2)
        .Conv2D(64, kernel: 3, padding: 1).BatchNorm().ReLU()
        .Conv2D(64, kernel: 3, padding: 1).BatchNorm().ReLU()
        .MaxPool(2)
        .AdaptiveAvgPool(4)
        .Flatten()
        .Dense(128).ReLU()
        .Dense(10);
}

/// <summary>A ResNet-style network on 3×64×64: a strided stem, an identity block and a projection block.</summary>
[Saliency, EpsilonPlus, EpsilonAlpha2Beta1, EpsilonGammaBox(-3, 3)]
public partial class LrpResNet
{
    static readonly Network Spec = Net.Input(3, 64, 64)
        .Conv2D(32, kernel: 3, stride: 2, padding: 1, bias: false).BatchNorm().ReLU()
        .Residual(b => b.Conv2D(32, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU().Conv2D(32, kernel: 3, padding: 1, bias: false).BatchNorm()).ReLU()
        .Residual(b => b.Conv2D(64, kernel: 3, stride: 2, padding: 1, bias: false).BatchNorm().ReLU().Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm(),
                  shortcut: s => s.Conv2D(64, kernel: 1, stride: 2, bias: false).BatchNorm()).ReLU()
        .AdaptiveAvgPool(1)
        .Flatten()
        .Dense(10);
}
