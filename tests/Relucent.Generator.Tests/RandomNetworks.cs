using System.Globalization;
using System.Text;
using Relucent.Model;

namespace Relucent.Generator.Tests;

/// <summary>
/// Random valid network declarations, as C# source and as the run-time <see cref="Network"/> the same chain
/// builds. Each layer is tried against the shape rules at once and redrawn when it does not fit.
/// </summary>
public sealed class RandomNetworks
{
    private readonly Random _random;

    public RandomNetworks(int seed) => _random = new Random(seed);

    /// <summary>Dense, ReLU, Tanh, Sigmoid, Dropout and a final Softmax now and then, on a feature vector.</summary>
    public (string Chain, Network Network) Dense()
    {
        int features = _random.Next(1, 13);
        var chain = new Chain($"Net.Input({features})", Net.Input(features));
        int layers = _random.Next(1, 7);
        for (int i = 0; i < layers; i++)
        {
            switch (_random.Next(6))
            {
                case 0:
                case 1: int units = _random.Next(1, 13); chain.Add($".Dense({units})", n => n.Dense(units)); break;
                case 2: chain.Add(".ReLU()", n => n.ReLU()); break;
                case 3: chain.Add(".Tanh()", n => n.Tanh()); break;
                case 4: chain.Add(".Sigmoid()", n => n.Sigmoid()); break;
                default: chain.Add(".Dropout(0.25)", n => n.Dropout(0.25)); break;
            }
        }
        int outputs = _random.Next(1, 6);
        chain.Add($".Dense({outputs})", n => n.Dense(outputs));
        if (_random.Next(4) == 0) chain.Add(".Softmax()", n => n.Softmax());
        return (chain.Text.ToString(), chain.Network);
    }

    /// <summary>Convolutions with random kernels, strides and paddings, pools, BatchNorm and residual blocks, then a dense head.</summary>
    public (string Chain, Network Network) Convolutional()
    {
        int channels = _random.Next(1, 4), height = _random.Next(3, 11), width = _random.Next(3, 11);
        var chain = new Chain($"Net.Input({channels}, {height}, {width})", Net.Input(channels, height, width));
        int layers = _random.Next(1, 7);
        for (int i = 0; i < layers; i++)
        {
            int c = chain.Network.OutputShape.Channels;
            int kernel = _random.Next(1, 4), stride = _random.Next(1, 3), padding = _random.Next(0, 2);
            bool bias = _random.Next(3) > 0;
            int filters = _random.Next(1, 5);
            switch (_random.Next(8))
            {
                case 0:
                case 1:
                    chain.Add($".Conv2D({filters}, kernel: {kernel}, stride: {stride}, padding: {padding}, bias: {(bias ? "true" : "false")})",
                        n => n.Conv2D(filters, kernel, stride, padding, bias));
                    break;
                case 2: chain.Add(".ReLU()", n => n.ReLU()); break;
                case 3: chain.Add($".MaxPool({kernel}, stride: {stride})", n => n.MaxPool(kernel, stride)); break;
                case 4: chain.Add($".AvgPool({kernel}, stride: {stride})", n => n.AvgPool(kernel, stride)); break;
                case 5: chain.Add(".BatchNorm()", n => n.BatchNorm()); break;
                case 6: chain.Add(".Tanh()", n => n.Tanh()); break;
                default:
                    int k = 2 * _random.Next(0, 2) + 1; // 1 or 3, padded to keep the shape
                    chain.Add($".Residual(b => b.Conv2D({c}, kernel: {k}, padding: {k / 2}).ReLU().Conv2D({c}, kernel: {k}, padding: {k / 2}))",
                        n => n.Residual(b => b.Conv2D(c, k, padding: k / 2).ReLU().Conv2D(c, k, padding: k / 2)));
                    if (_random.Next(2) == 0) chain.Add(".ReLU()", n => n.ReLU());
                    break;
            }
        }
        chain.Add(".Flatten()", n => n.Flatten());
        if (_random.Next(2) == 0)
        {
            int hidden = _random.Next(2, 9);
            chain.Add($".Dense({hidden}).ReLU()", n => n.Dense(hidden).ReLU());
        }
        int outputs = _random.Next(1, 6);
        chain.Add($".Dense({outputs})", n => n.Dense(outputs));
        return (chain.Text.ToString(), chain.Network);
    }

    /// <summary>Random parameters for <paramref name="network"/>; BatchNorm variances are positive.</summary>
    public Dictionary<string, Tensor> Parameters(Network network)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (ParameterInfo p in network.Parameters)
        {
            var values = new float[p.Size];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = p.Role == ParameterRole.RunningVar ? 0.5f + (float)_random.NextDouble() : (float)(_random.NextDouble() * 2 - 1);
            }
            tensors[p.Name] = Tensor.FromSingle(values, p.Dimensions.ToArray());
        }
        return tensors;
    }

    public float[] Vector(int length, double scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((_random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    /// <summary>A declaration class for <paramref name="chain"/>, with every rule.</summary>
    public static string Class(string name, string chain) =>
        $"[Saliency, DeconvNet, GuidedBackprop] public partial class {name} {{ static readonly Network Spec = {chain}; }}\n";

    private sealed class Chain
    {
        public Chain(string start, Network network)
        {
            Text = new StringBuilder(start);
            Network = network;
        }

        public StringBuilder Text { get; }

        public Network Network { get; private set; }

        /// <summary>Appends the call when the shape rules accept it; otherwise leaves the chain as it was.</summary>
        public void Add(string text, Func<Network, Network> call)
        {
            try
            {
                Network = call(Network);
                Text.Append(text);
            }
            catch (NetworkDefinitionException)
            {
            }
        }
    }
}
