namespace Relucent.Attribution.Tests;

/// <summary>The layer-attribution networks with parameters chosen here, each also as an <see cref="Interpreter{T}"/>, the second implementation.</summary>
public static class LayerModels
{
    /// <summary>Random parameters for <paramref name="network"/>, uniform in [−0.4, 0.6) (mostly positive, so ReLUs pass about half their inputs).</summary>
    public static Dictionary<string, Tensor> Parameters(Network network, int seed)
    {
        var random = new Random(seed);
        return network.Parameters.ToDictionary(p => p.Name,
            p => Tensor.FromDouble(Enumerable.Range(0, (int)p.Size).Select(_ => random.NextDouble() - 0.4).ToArray(), p.Dimensions.ToArray()));
    }

    public static CamNet64 Cam64(int seed = 3) => CamNet64.FromTensors(Parameters(CamNet64.Architecture, seed));

    public static CamNet Cam32(int seed = 3) => CamNet.FromTensors(Parameters(CamNet64.Architecture, seed));

    public static Interpreter<double> CamInterpreter(int seed = 3) => Interpreter<double>.FromTensors(CamNet64.Architecture, Parameters(CamNet64.Architecture, seed));

    /// <summary>An input of the CAM networks: smooth, signed, different in every channel.</summary>
    public static double[] Input(int seed = 0) =>
        Enumerable.Range(0, 360).Select(i => Math.Sin(0.37 * i + seed) + 0.3 * Math.Cos(1.3 * i * (seed + 1))).ToArray();

    /// <summary>
    /// The hand-computable network: convolution weights [1, 0.5] with biases [0, −0.5], dense weights [0.5, −1, 2, 0]
    /// and bias 0.25. At x = [1, 2] the ReLU's output is channel 0 = [1, 2], channel 1 = [0, 0.5], and the gradient of
    /// the output there is the dense weights: channel 0 = [0.5, −1], channel 1 = [2, 0].
    /// </summary>
    public static TinyCam64 Tiny() => TinyCam64.FromTensors(new Dictionary<string, Tensor>
    {
        ["0.weight"] = Tensor.FromDouble(new[] { 1.0, 0.5 }, 2, 1, 1, 1),
        ["0.bias"] = Tensor.FromDouble(new[] { 0.0, -0.5 }, 2),
        ["3.weight"] = Tensor.FromDouble(new[] { 0.5, -1, 2, 0 }, 1, 4),
        ["3.bias"] = Tensor.FromDouble(new[] { 0.25 }, 1),
    });
}
