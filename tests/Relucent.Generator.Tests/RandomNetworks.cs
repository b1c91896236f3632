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
            switch (_random.Next(16))
            {
                case 0:
                case 1:
                    chain.Add($".Conv2D({filters}, kernel: {kernel}, stride: {stride}, padding: {padding}, bias: {(bias ? "true" : "false")})",
                        n => n.Conv2D(filters, kernel, stride, padding, bias: bias));
                    break;
                case 2: chain.Add(".ReLU()", n => n.ReLU()); break;
                case 3: chain.Add($".MaxPool({kernel}, stride: {stride})", n => n.MaxPool(kernel, stride)); break;
                case 4: chain.Add($".AvgPool({kernel}, stride: {stride})", n => n.AvgPool(kernel, stride)); break;
                case 5: chain.Add(".BatchNorm()", n => n.BatchNorm()); break;
                case 6: chain.Add(".Tanh()", n => n.Tanh()); break;
                case 7: chain.Add(".ReLU6()", n => n.ReLU6()); break;
                case 8:
                    // Padded and ceil-mode pooling: padding at most half the window, as PyTorch allows.
                    int pad = _random.Next(0, kernel / 2 + 1);
                    bool ceil = _random.Next(2) == 0;
                    chain.Add($".MaxPool({kernel}, stride: {stride}, padding: {pad}, ceilMode: {(ceil ? "true" : "false")})", n => n.MaxPool(kernel, stride, pad, ceil));
                    break;
                case 9:
                    int avgPad = _random.Next(0, kernel / 2 + 1);
                    chain.Add($".AvgPool({kernel}, stride: {stride}, padding: {avgPad})", n => n.AvgPool(kernel, stride, avgPad));
                    break;
                case 10:
                    int top = _random.Next(0, 3), left = _random.Next(0, 3), bottom = _random.Next(0, 3), right = _random.Next(0, 3);
                    chain.Add($".Conv2D({filters}, kernel: {kernel}, stride: {stride}, padding: new Padding(top: {top}, left: {left}, bottom: {bottom}, right: {right}))",
                        n => n.Conv2D(filters, kernel, stride, new Padding(top, left, bottom, right)));
                    break;
                case 11:
                    // Grouped, sometimes depthwise: groups divide the channels, filters a multiple of them.
                    int groups = _random.Next(2) == 0 ? c : Enumerable.Range(1, c).Last(g => c % g == 0 && g <= 2);
                    int grouped = groups * _random.Next(1, 3);
                    chain.Add($".Conv2D({grouped}, kernel: {kernel}, padding: {kernel / 2}, groups: {groups})", n => n.Conv2D(grouped, kernel, padding: kernel / 2, groups: groups));
                    break;
                case 12:
                    int size = _random.Next(1, 5);
                    chain.Add($".AdaptiveAvgPool({size})", n => n.AdaptiveAvgPool(size));
                    break;
                case 13:
                    // A projection shortcut, as torchvision's downsample: the branch strides and widens, the shortcut matches it.
                    int wide = _random.Next(1, 5);
                    chain.Add($".Residual(b => b.Conv2D({wide}, kernel: 3, stride: 2, padding: 1).ReLU().Conv2D({wide}, kernel: 3, padding: 1), "
                        + $"shortcut: s => s.Conv2D({wide}, kernel: 1, stride: 2).BatchNorm()).ReLU()",
                        n => n.Residual(b => b.Conv2D(wide, 3, stride: 2, padding: 1).ReLU().Conv2D(wide, 3, padding: 1), shortcut: s => s.Conv2D(wide, 1, stride: 2).BatchNorm()).ReLU());
                    break;
                case 14:
                    // Inception-like branches, one of them sometimes the identity.
                    int f1 = _random.Next(1, 4), f2 = _random.Next(1, 4);
                    bool identity = _random.Next(2) == 0;
                    string third = identity ? "b => b" : "b => b.MaxPool(3, stride: 1, padding: 1).Conv2D(2, kernel: 1)";
                    chain.Add($".Concat(b => b.Conv2D({f1}, kernel: 1).ReLU(), b => b.Conv2D({f2}, kernel: 3, padding: 1).ReLU6(), {third})",
                        n => n.Concat(b => b.Conv2D(f1, 1).ReLU(), b => b.Conv2D(f2, 3, padding: 1).ReLU6(), identity ? b => b : b => b.MaxPool(3, stride: 1, padding: 1).Conv2D(2, 1)));
                    break;
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
