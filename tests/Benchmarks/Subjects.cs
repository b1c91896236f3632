using Relucent.Model;

namespace Relucent.Benchmarks;

/// <summary>
/// One network ready to time: generated code with random weights (PyTorch's default initialisation scale), one
/// example and a batch of 64, bound to the allocation-free span overloads with a workspace, a
/// <see cref="BatchRunner{T}"/> for the batch, and the MathNet reference path over the same weights.
/// </summary>
public sealed class Subject : IDisposable
{
    public const int BatchSize = 64;

    public required string Name { get; init; }
    public required IExplainer<float> Net { get; init; }
    public required Action Forward { get; init; }
    public required Action Saliency { get; init; }
    public required Action DeconvNet { get; init; }
    public required Action GuidedBackprop { get; init; }
    public required MathNetReference Reference { get; init; }
    public required float[] Input { get; init; }
    public required float[] Output { get; init; }
    public required float[] Result { get; init; }
    public required int Target { get; init; }
    public required float[] Inputs { get; init; }
    public required float[] Outputs { get; init; }
    public required float[] Results { get; init; }
    public required int[] Targets { get; init; }
    public required BatchRunner<float> Runner { get; init; }

    /// <summary>Floating-point operations (2 per multiply-add) of one forward pass: convolutions and dense layers.</summary>
    public long ForwardFlops => Flops.Forward(Net.Architecture);

    /// <summary>One explanation: the forward pass and the input-gradient pass through every layer.</summary>
    public long ExplainFlops => 2 * ForwardFlops;

    public void ForwardBatch() => Runner.Forward(Inputs, Outputs);

    public void SaliencyBatch() => Runner.Explain(BackwardRule.Saliency, Inputs, Targets, Results);

    public void DeconvNetBatch() => Runner.Explain(BackwardRule.DeconvNet, Inputs, Targets, Results);

    public void GuidedBackpropBatch() => Runner.Explain(BackwardRule.GuidedBackprop, Inputs, Targets, Results);

    public void ReferenceSaliency() => Reference.Explain(BackwardRule.Saliency, Input, Target, Result);

    public void ReferenceForward() => Reference.Forward(Input, Output);

    public void Dispose() => Runner.Dispose();

    public static readonly string[] Names = { "mlp", "lenet", "vgg", "mnist_cnn" };

    /// <summary>Builds the named network with random weights drawn from <paramref name="seed"/>.</summary>
    public static Subject Create(string name, int seed = 1, int workers = -1)
    {
        var rng = new Random(seed);
        return name switch
        {
            "mlp" => Bind(name, Mlp.FromTensors, Weights(Mlp.ParameterShapes, rng), rng, workers,
                (n, ws, i, o) => n.Forward(i, o, ws), (n, ws, r, i, k, o) => Explain(n, ws, r, i, k, o), () => new Mlp.Workspace()),
            "lenet" => Bind(name, CaptumLeNet.FromTensors, Weights(CaptumLeNet.ParameterShapes, rng), rng, workers,
                (n, ws, i, o) => n.Forward(i, o, ws), (n, ws, r, i, k, o) => Explain(n, ws, r, i, k, o), () => new CaptumLeNet.Workspace()),
            "vgg" => Bind(name, Vgg.FromTensors, Weights(Vgg.ParameterShapes, rng), rng, workers,
                (n, ws, i, o) => n.Forward(i, o, ws), (n, ws, r, i, k, o) => Explain(n, ws, r, i, k, o), () => new Vgg.Workspace()),
            "mnist_cnn" => Bind(name, MnistCnn.FromTensors, Weights(MnistCnn.ParameterShapes, rng), rng, workers,
                (n, ws, i, o) => n.Forward(i, o, ws), (n, ws, r, i, k, o) => Explain(n, ws, r, i, k, o), () => new MnistCnn.Workspace()),
            _ => throw new ArgumentException($"Unknown network '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    // The generated span overloads, one method per rule: (input, target, result, workspace).
    private static void Explain(Mlp n, Mlp.Workspace ws, BackwardRule rule, float[] input, int target, float[] result)
    {
        switch (rule)
        {
            case BackwardRule.Saliency: n.Saliency(input, target, result, ws); break;
            case BackwardRule.DeconvNet: n.DeconvNet(input, target, result, ws); break;
            default: n.GuidedBackprop(input, target, result, ws); break;
        }
    }

    private static void Explain(CaptumLeNet n, CaptumLeNet.Workspace ws, BackwardRule rule, float[] input, int target, float[] result)
    {
        switch (rule)
        {
            case BackwardRule.Saliency: n.Saliency(input, target, result, ws); break;
            case BackwardRule.DeconvNet: n.DeconvNet(input, target, result, ws); break;
            default: n.GuidedBackprop(input, target, result, ws); break;
        }
    }

    private static void Explain(Vgg n, Vgg.Workspace ws, BackwardRule rule, float[] input, int target, float[] result)
    {
        switch (rule)
        {
            case BackwardRule.Saliency: n.Saliency(input, target, result, ws); break;
            case BackwardRule.DeconvNet: n.DeconvNet(input, target, result, ws); break;
            default: n.GuidedBackprop(input, target, result, ws); break;
        }
    }

    private static void Explain(MnistCnn n, MnistCnn.Workspace ws, BackwardRule rule, float[] input, int target, float[] result)
    {
        switch (rule)
        {
            case BackwardRule.Saliency: n.Saliency(input, target, result, ws); break;
            case BackwardRule.DeconvNet: n.DeconvNet(input, target, result, ws); break;
            default: n.GuidedBackprop(input, target, result, ws); break;
        }
    }

    private static Subject Bind<TNet, TWs>(string name, Func<IReadOnlyDictionary<string, Tensor>, TNet> load, Dictionary<string, Tensor> tensors, Random rng, int workers,
        Action<TNet, TWs, float[], float[]> forward, Action<TNet, TWs, BackwardRule, float[], int, float[]> explain, Func<TWs> workspace)
        where TNet : IExplainer<float>
    {
        TNet net = load(tensors);
        TWs ws = workspace();
        int inputSize = net.InputSize, outputSize = net.OutputSize;
        float[] input = Uniform(rng, inputSize, 0, 1), output = new float[outputSize], result = new float[inputSize];
        int target = 0;
        return new Subject
        {
            Name = name,
            Net = net,
            Input = input,
            Output = output,
            Result = result,
            Target = target,
            Forward = () => forward(net, ws, input, output),
            Saliency = () => explain(net, ws, BackwardRule.Saliency, input, target, result),
            DeconvNet = () => explain(net, ws, BackwardRule.DeconvNet, input, target, result),
            GuidedBackprop = () => explain(net, ws, BackwardRule.GuidedBackprop, input, target, result),
            Reference = new MathNetReference(net.Architecture, tensors),
            Inputs = Uniform(rng, BatchSize * inputSize, 0, 1),
            Outputs = new float[BatchSize * outputSize],
            Results = new float[BatchSize * inputSize],
            Targets = Enumerable.Range(0, BatchSize).Select(i => i % outputSize).ToArray(),
            Runner = new BatchRunner<float>(net, workers),
        };
    }

    /// <summary>Random parameters for every entry of <paramref name="shapes"/>: U(−1/√fan_in, 1/√fan_in), as PyTorch initialises.</summary>
    public static Dictionary<string, Tensor> Weights(IReadOnlyList<ParameterShape> shapes, Random rng)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (ParameterShape shape in shapes)
        {
            int size = shape.Dimensions.Aggregate(1, (a, b) => a * b);
            int fanIn = shape.Dimensions.Length > 1 ? size / shape.Dimensions[0] : shape.Dimensions[0];
            double bound = 1 / Math.Sqrt(fanIn);
            tensors[shape.Name] = Tensor.FromSingle(Uniform(rng, size, -bound, bound), shape.Dimensions);
        }
        return tensors;
    }

    public static float[] Uniform(Random rng, int count, double low, double high)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(low + (high - low) * rng.NextDouble());
        return values;
    }
}

/// <summary>Floating-point operations of the layers that do arithmetic worth counting.</summary>
public static class Flops
{
    /// <summary>2 × multiply-adds of every convolution and dense layer in one forward pass.</summary>
    public static long Forward(Network network)
    {
        long flops = 0;
        Shape input = network.InputShape;
        for (int i = 0; i < network.Layers.Count; i++)
        {
            Shape output = network.LayerOutputShapes[i];
            flops += network.Layers[i] switch
            {
                Conv2DLayer conv => 2L * output.Size * input.Channels * conv.Kernel * conv.Kernel,
                DenseLayer dense => 2L * input.Size * dense.Units,
                _ => 0,
            };
            input = output;
        }
        return flops;
    }
}
