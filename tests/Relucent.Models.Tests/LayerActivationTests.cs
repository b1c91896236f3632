using Relucent.Model;
using Relucent.Testing;

namespace Relucent.Models.Tests;

/// <summary>
/// The fixtures' layer activations and layer gradients (what Grad-CAM needs: the output A of a torchvision module and
/// ∂logit/∂A), checked through the interpreter on the narrow declarations split at that module: the network up to
/// it gives A, the rest of the network, started at A, gives ∂logit/∂A as its Saliency map. This proves that the
/// declarations' layer boundaries are torchvision's modules, to 1e-7 of each tensor's largest magnitude (float64).
/// </summary>
public class LayerActivationTests
{
    public static TheoryData<string> Models => new(NarrowModels.All.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void Layer_activations_and_gradients_agree_with_libtorch(string model)
    {
        SafeTensorsFile cases = TorchVisionFixtures.Cases(model), stateDict = TorchVisionFixtures.StateDict(model);
        Network network = NarrowModels.Load<double>(model, stateDict).Architecture;
        double[] input = cases["input.0"].ToDouble();
        var layers = TorchVisionFixtures.LayerGradients(cases).ToList();
        Assert.NotEmpty(layers);
        foreach (string layer in layers.Select(l => l.Layer).Distinct())
        {
            int end = OutputOf(network, layer);
            var head = Network.FromLayers(network.InputShape, network.Layers.Take(end + 1));
            var tail = Network.FromLayers(network.LayerOutputShapes[end], network.Layers.Skip(end + 1));
            double[] activation = Interpreter<double>.FromTensors(head, Only(head, stateDict)).Forward(input);
            CaptumFixtures.Close(cases[$"activation.0.{layer}"].ToDouble(), activation, 1e-7, $"{model} activation of {layer}");

            var rest = Interpreter<double>.FromTensors(tail, Only(tail, stateDict));
            foreach (var (target, _) in layers.Where(l => l.Layer == layer))
            {
                CaptumFixtures.Close(cases[$"gradient.0.target{target}.{layer}"].ToDouble(), rest.Backward(activation, target, BackwardRule.Saliency), 1e-7,
                    $"{model} gradient of logit {target} at {layer}");
            }
        }
    }

    /// <summary>
    /// The top-level layer whose output is torchvision module <paramref name="module"/>'s: the last one named it or inside
    /// it (<c>layer1</c> ends at <c>layer1.1.relu</c>, <c>layer2.0</c> at <c>layer2.0.relu</c>, <c>features.18</c> at
    /// <c>features.18.2</c>).
    /// </summary>
    private static int OutputOf(Network network, string module)
    {
        int found = -1;
        for (int i = 0; i < network.Layers.Count; i++)
        {
            string? name = network.Layers[i].Name;
            if (name == module || name?.StartsWith(module + ".", StringComparison.Ordinal) == true) found = i;
        }
        Assert.True(found >= 0, $"no layer of the declaration is torchvision's module {module}");
        return found;
    }

    private static Dictionary<string, Tensor> Only(Network network, SafeTensorsFile stateDict) =>
        network.Parameters.ToDictionary(p => p.Name, p => stateDict[p.Name]);
}
