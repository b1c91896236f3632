using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// <c>residual-fusion [blocks]</c>: ResidualKernels' one-pass calls against the two passes the generated merged passes made
/// before (Add then Relu forward; Add then ReluRules.Apply backward, Saliency), on the residual outputs of ResNet-50 and
/// ResNet-18 at 224×224, in alternating blocks, each block the least CPU time per call of this thread (1 kernel thread).
/// </summary>
public static class ResidualFusion
{
    // The tensors a residual block sums, [C, H, W] flattened.
    private static readonly (string Name, int Size)[] Sizes =
    {
        ("ResNet-50 layer1 256×56×56", 256 * 56 * 56), ("ResNet-50 layer2 512×28×28", 512 * 28 * 28),
        ("ResNet-50 layer3 1024×14×14", 1024 * 14 * 14), ("ResNet-50 layer4 2048×7×7", 2048 * 7 * 7),
        ("ResNet-18 layer2 128×28×28", 128 * 28 * 28), ("ResNet-18 layer4 512×7×7", 512 * 7 * 7),
    };

    public static void Run(int blocks, TextWriter output)
    {
        using var one = KernelParallelism.Override(1); // thread CPU time counts this thread only
        output.WriteLine($"Least CPU µs per call over {blocks} alternating blocks (two passes | one fused pass | ratio)");
        foreach ((string name, int n) in Sizes)
        {
            var rng = new Random(n);
            float[] a = Subject.Uniform(rng, n, -1, 1), b = Subject.Uniform(rng, n, -1, 1), z = Subject.Uniform(rng, n, -1, 1);
            float[] sum = new float[n], y = new float[n];
            Action[] forward =
            {
                () => { ElementwiseKernels.Add<float>(a, b, sum); ActivationKernels.Relu<float>(sum, y); },
                () => ResidualKernels.AddRelu<float>(a, b, y),
            };
            Action[] backward =
            {
                () => { ElementwiseKernels.Add<float>(a, b, sum); ReluRules.Apply<float, SaliencyRule>(z, sum, y); },
                () => ResidualKernels.AddRule<float, SaliencyRule>(z, a, b, y),
            };
            output.WriteLine($"{name}: forward {Compare(forward, blocks)}; backward {Compare(backward, blocks)}");
        }
    }

    // "812.3 | 530.1 | 1.53×": the least time of each action over the blocks, which alternate between them.
    private static string Compare(Action[] actions, int blocks)
    {
        var least = new[] { double.MaxValue, double.MaxValue };
        for (int block = 0; block < 2 * blocks; block++)
        {
            int which = block % 2;
            least[which] = Math.Min(least[which], Quick.CpuTime(actions[which], repetitions: 5));
        }
        return $"{least[0] * 1e6:F1} | {least[1] * 1e6:F1} | {least[0] / least[1]:F2}×";
    }
}
