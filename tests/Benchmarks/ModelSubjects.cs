using Relucent.Samples.TorchVision;

namespace Relucent.Benchmarks;

/// <summary>
/// One full-size torchvision model of samples/TorchVision ready to time at 3×224×224: the generated class with random
/// weights, its allocation-free span calls on a caller-owned workspace (batch 1), and a <see cref="BatchRunner{T}"/>
/// with one worker per core over <see cref="Batch"/> examples.
/// </summary>
public sealed class ModelSubject : IDisposable
{
    /// <summary>The batch timed per example against libtorch's batch 8.</summary>
    public const int Batch = 8;

    /// <summary>The models of issues 14 and 19's speed table, by torchvision's names (tests/References' <c>Bench.Models</c>).</summary>
    public static readonly string[] Names = { "resnet18", "resnet50", "vgg11_bn", "alexnet", "mobilenet_v2", "googlenet" };

    public required string Name { get; init; }
    public required IExplainer<float> Net { get; init; }

    /// <summary>The generated <c>Saliency(input, target, result, workspace)</c> span overload on one example.</summary>
    public required Action Saliency { get; init; }

    /// <summary>The generated <c>Forward(input, output, workspace)</c> span overload on one example.</summary>
    public required Action Forward { get; init; }

    /// <summary>The convenience <c>Forward(float[])</c>, which rents the network's spare workspace and allocates only its output.</summary>
    public required Action ForwardArray { get; init; }

    public required float[] Result { get; init; }
    public required BatchRunner<float> Runner { get; init; }
    public required float[] Inputs { get; init; }
    public required int[] Targets { get; init; }
    public required float[] Results { get; init; }

    /// <summary><see cref="Batch"/> saliency maps through the runner (one worker per core).</summary>
    public void SaliencyBatch() => Runner.Explain(BackwardRule.Saliency, Inputs, Targets, Results);

    public void Dispose() => Runner.Dispose();

    /// <summary>Builds the named model with random weights drawn from <paramref name="seed"/>.</summary>
    public static ModelSubject Create(string name, int seed = 224)
    {
        var rng = new Random(seed);
        Dictionary<string, Tensor> w(IReadOnlyList<ParameterShape> shapes) => Weights(shapes, rng);
        return name switch
        {
            "resnet18" => Bind(name, ResNet18.FromTensors(w(ResNet18.ParameterShapes)), new ResNet18.Workspace(), rng,
                (n, x, t, r, ws) => n.Saliency(x, t, r, ws)),
            "resnet50" => Bind(name, ResNet50.FromTensors(w(ResNet50.ParameterShapes)), new ResNet50.Workspace(), rng,
                (n, x, t, r, ws) => n.Saliency(x, t, r, ws)),
            "vgg11_bn" => Bind(name, Vgg11BN.FromTensors(w(Vgg11BN.ParameterShapes)), new Vgg11BN.Workspace(), rng,
                (n, x, t, r, ws) => n.Saliency(x, t, r, ws)),
            "alexnet" => Bind(name, AlexNet.FromTensors(w(AlexNet.ParameterShapes)), new AlexNet.Workspace(), rng,
                (n, x, t, r, ws) => n.Saliency(x, t, r, ws)),
            "mobilenet_v2" => Bind(name, MobileNetV2.FromTensors(w(MobileNetV2.ParameterShapes)), new MobileNetV2.Workspace(), rng,
                (n, x, t, r, ws) => n.Saliency(x, t, r, ws)),
            "googlenet" => Bind(name, GoogLeNet.FromTensors(w(GoogLeNet.ParameterShapes)), new GoogLeNet.Workspace(), rng,
                (n, x, t, r, ws) => n.Saliency(x, t, r, ws)),
            _ => throw new ArgumentException($"Unknown model '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    private static ModelSubject Bind<TNet, TWs>(string name, TNet net, TWs ws, Random rng,
        Action<TNet, float[], int, float[], TWs> saliency)
        where TNet : GeneratedNetwork<float, TWs>
        where TWs : NetworkWorkspace<float>, new()
    {
        IExplainer<float> explainer = net;
        int inputSize = explainer.InputSize, outputSize = explainer.OutputSize;
        // An image-like input: ImageNet-normalised pixels are roughly N(0, 1); uniform [−2, 2) is close enough for timing.
        float[] input = Subject.Uniform(rng, inputSize, -2, 2), output = new float[outputSize], result = new float[inputSize];
        const int target = 1;
        return new ModelSubject
        {
            Name = name,
            Net = net,
            Saliency = () => saliency(net, input, target, result, ws),
            Forward = () => net.Forward(input, output, ws),
            ForwardArray = () => net.Forward(input),
            Result = result,
            Runner = new BatchRunner<float>(net),
            Inputs = Subject.Uniform(rng, Batch * inputSize, -2, 2),
            Targets = Enumerable.Range(0, Batch).Select(i => 17 * i % outputSize).ToArray(),
            Results = new float[Batch * inputSize],
        };
    }

    /// <summary>
    /// Random parameters a trained network could have, so every layer's values stay in float's normal range (no
    /// subnormals, no NaN): convolution weights U(±√(6/fan_in)) (He, as torchvision's ReLU networks initialise),
    /// dense weights U(±1/√fan_in) (PyTorch's default), BatchNorm γ and running variance in [0.5, 1.5), biases, β and
    /// running means in [−0.1, 0.1).
    /// </summary>
    public static Dictionary<string, Tensor> Weights(IReadOnlyList<ParameterShape> shapes, Random rng)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (ParameterShape shape in shapes)
        {
            int[] dims = shape.Dimensions;
            int size = dims.Aggregate(1, (a, b) => a * b);
            float[] values = dims.Length switch
            {
                4 => Subject.Uniform(rng, size, -Math.Sqrt(6.0 / (size / dims[0])), Math.Sqrt(6.0 / (size / dims[0]))),
                2 => Subject.Uniform(rng, size, -1 / Math.Sqrt(dims[1]), 1 / Math.Sqrt(dims[1])),
                _ when shape.Name.EndsWith("running_var", StringComparison.Ordinal) || IsBatchNormScale(shape, shapes) => Subject.Uniform(rng, size, 0.5, 1.5),
                _ => Subject.Uniform(rng, size, -0.1, 0.1),
            };
            tensors[shape.Name] = Tensor.FromSingle(values, dims);
        }
        return tensors;
    }

    // A rank-1 ".weight" is a BatchNorm's γ: its module also has a running_var.
    private static bool IsBatchNormScale(ParameterShape shape, IReadOnlyList<ParameterShape> shapes) =>
        shape.Name.EndsWith(".weight", StringComparison.Ordinal)
        && shapes.Any(s => s.Name == shape.Name[..^".weight".Length] + ".running_var");
}
