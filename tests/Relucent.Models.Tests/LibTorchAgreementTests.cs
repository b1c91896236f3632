using Relucent.Testing;

namespace Relucent.Models.Tests;

/// <summary>
/// The fixtures' narrow models, declared with the sample's helpers, against libtorch: the logits, and every map
/// (Saliency, DeconvNet, GuidedBackprop; DeconvNet and GuidedBackprop from a custom autograd ReLU/ReLU6 in libtorch's
/// graph) to 1e-7 of each map's largest magnitude in float64 and 2e-3 in float32, the weights loaded from the
/// state_dict exactly as saved (num_batches_tracked included).
/// </summary>
public class LibTorchAgreementTests
{
    public static TheoryData<string> Models => new(NarrowModels.All.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void Float64_logits_and_maps_agree_with_libtorch(string model) => Agree<double>(model, tolerance: 1e-7);

    [Theory]
    [MemberData(nameof(Models))]
    public void Float32_logits_and_maps_agree_with_libtorch(string model) => Agree<float>(model, tolerance: 2e-3);

    private static void Agree<T>(string model, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafeTensorsFile cases = TorchVisionFixtures.Cases(model);
        IExplainer<T> net = NarrowModels.Load<T>(model, TorchVisionFixtures.StateDict(model));
        IWorkspace workspace = net.CreateWorkspace();
        T[] input = cases["input.0"].ToArray<T>();
        Assert.Equal(net.InputSize, input.Length);

        var logits = new T[net.OutputSize];
        net.Forward(input, logits, workspace);
        CaptumFixtures.Close(cases["logits.0"].ToDouble(), Doubles(logits), tolerance, $"{model} logits");

        var maps = TorchVisionFixtures.Maps(cases).ToList();
        Assert.Equal(3, maps.Select(m => m.Rule).Distinct().Count());
        foreach (var (rule, target, name) in maps)
        {
            var map = new T[net.InputSize];
            net.Explain(rule, input, TorchVisionFixtures.OneHot<T>(net.OutputSize, target), map, workspace);
            CaptumFixtures.Close(cases[name].ToDouble(), Doubles(map), tolerance, $"{model} {name}");
        }
    }

    private static double[] Doubles<T>(T[] values) where T : unmanaged, IFloatingPointIeee754<T> => values.Select(double.CreateChecked).ToArray();
}
