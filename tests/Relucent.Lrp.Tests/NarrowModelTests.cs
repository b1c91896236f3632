using System.Numerics;
using System.Reflection;
using Relucent.Models.Tests;

namespace Relucent.Lrp.Tests;

/// <summary>
/// The narrow ResNet-18 and VGG-11-BN of the torchvision fixtures, declared with samples/TorchVision's own helpers
/// (<see cref="NarrowModels"/>) under the five LRP composites: every run of <c>{name}.lrp.safetensors</c> agrees with
/// Zennit's numbers (ResNetCanonizer / VGGCanonizer: BatchNorms merged, the Norm rule at each residual sum), at the input
/// and at the named layers the fixture records, in float64 (1e-7 of the largest magnitude) and float32 (5e-3).
/// </summary>
public sealed class NarrowModelTests
{
    private const string Composites = "EpsilonPlus, EpsilonPlusFlat, EpsilonAlpha2Beta1, EpsilonAlpha2Beta1Flat, EpsilonGammaBox(-4, 4.5)";

    private static readonly Lazy<Assembly> Compiled = new(() =>
        NarrowModels.Compile(NarrowModels.All.Where(m => m.Name is "resnet18" or "vgg11_bn"), Composites));

    private static ILayerExplainer<T> Load<T>(string name) where T : unmanaged, IFloatingPointIeee754<T> =>
        (ILayerExplainer<T>)NarrowModels.Type<T>(Compiled.Value, name).GetMethod("FromTensors", [typeof(IReadOnlyDictionary<string, Tensor>)])!
            .Invoke(null, [SafeTensors.Read(Torchvision(name + ".safetensors"))])!;

    private static string Torchvision(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", file);

    private static double[] Input(string name) => SafeTensors.Read(Torchvision(name + ".cases.safetensors"))["input.0"].ToDouble();

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vgg11_bn")]
    public void Float64_agrees_with_Zennit_at_the_input_and_at_named_layers(string name)
    {
        ILayerExplainer<double> net = Load<double>(name);
        double[] input = Input(name);
        SafeTensorsFile lrp = SafeTensors.Read(LrpFixture.File(name + ".lrp.safetensors"));
        int layers = 0;
        foreach (LrpFixture.Run run in LrpFixture.RunsOf(lrp, net.OutputSize))
        {
            LrpFixture.Close(run.Expected, LrpFixture.Explain(net, run.Composite, input, run.Seed), 1e-7, $"{name} {run.Name}");
            foreach (string key in lrp.Keys.Where(k => k.StartsWith(run.Name + ".", StringComparison.Ordinal)))
            {
                string layer = key[(run.Name.Length + 1)..];
                if (!net.NamedLayers.Any(l => l.Name == layer)) continue;
                int size = lrp[key].ToDouble().Length;
                double[] activation = new double[size], signal = new double[size];
                net.ExplainAt(run.Composite, layer, input, run.Seed, activation, signal, net.CreateWorkspace());
                LrpFixture.Close(lrp[key].ToDouble(), signal, 1e-7, $"{name} {key}");
                layers++;
            }
        }
        Assert.True(layers > 0, $"{name}: no named layer of the fixture was checked");
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vgg11_bn")]
    public void Float32_agrees_with_Zennit_at_the_input(string name)
    {
        IExplainer<float> net = Load<float>(name);
        double[] input = Input(name);
        foreach (LrpFixture.Run run in LrpFixture.RunsOf(SafeTensors.Read(LrpFixture.File(name + ".lrp.safetensors")), net.OutputSize))
        {
            LrpFixture.Close(run.Expected, LrpFixture.Explain(net, run.Composite, input, run.Seed), 5e-3, $"{name} {run.Name} (float32)");
        }
    }

    [Theory]
    [InlineData("resnet18", BackwardRule.EpsilonPlus)]
    [InlineData("vgg11_bn", BackwardRule.EpsilonGammaBox)]
    public void A_pass_stopped_at_a_named_layer_and_restarted_there_is_the_whole_pass(string name, BackwardRule composite)
    {
        ILayerExplainer<double> net = Load<double>(name);
        double[] input = Input(name), seed = LrpFixture.OneHot(net.OutputSize, 1);
        double[] whole = LrpFixture.Explain(net, composite, input, seed);
        NamedLayer[] starts = net.NamedLayers.Where(l => l.CanStart).ToArray();
        Assert.NotEmpty(starts);
        foreach (NamedLayer layer in starts)
        {
            int size = checked((int)layer.Shape.Size);
            double[] activation = new double[size], signal = new double[size], map = new double[net.InputSize];
            net.ExplainAt(composite, layer.Name, input, seed, activation, signal, net.CreateWorkspace());
            net.ExplainFrom(composite, layer.Name, input, signal, map, net.CreateWorkspace());
            Assert.Equal(whole, map);
        }
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vgg11_bn")]
    public void The_interpreter_stops_and_starts_every_composite_at_every_named_layer_as_generated_code_does(string name)
    {
        // The interpreter is the second implementation of the passes that stop at a layer (Grad-CAM-style methods under
        // LRP) and start at one (a hidden unit's relevance): same kernels, so the same bits, inside residual blocks too.
        ILayerExplainer<double> net = Load<double>(name);
        var interpreter = Interpreter<double>.FromTensors(net.Architecture, SafeTensors.Read(Torchvision(name + ".safetensors"))).WithLrpBox(-4, 4.5);
        double[] input = Input(name), seed = LrpFixture.OneHot(net.OutputSize, 2);
        Assert.Equal(name == "resnet18", net.NamedLayers.Any(l => !l.CanStart)); // ResNet's layers inside its blocks are named
        foreach (BackwardRule composite in new[] { BackwardRule.EpsilonPlus, BackwardRule.EpsilonPlusFlat, BackwardRule.EpsilonAlpha2Beta1, BackwardRule.EpsilonAlpha2Beta1Flat, BackwardRule.EpsilonGammaBox })
        {
            foreach (NamedLayer layer in net.NamedLayers)
            {
                int size = checked((int)layer.Shape.Size);
                double[] activation = new double[size], signal = new double[size];
                net.ExplainAt(composite, layer.Name, input, seed, activation, signal, net.CreateWorkspace());
                (double[] a, double[] r) = interpreter.ExplainAt(composite, layer.Name, input, seed);
                Assert.Equal(activation, a);
                Assert.True(r.SequenceEqual(signal), $"{name} {composite}: the relevance at {layer.Name} ({layer.Label}) differs from generated code's");
                Assert.Contains(r, v => v != 0);
                if (!layer.CanStart) continue;
                double[] map = new double[net.InputSize];
                net.ExplainFrom(composite, layer.Name, input, signal, map, net.CreateWorkspace());
                Assert.True(interpreter.ExplainFrom(composite, layer.Name, input, signal).SequenceEqual(map), $"{name} {composite}: the relevance from {layer.Name} differs from generated code's");
            }
        }
    }

    [Fact]
    public void The_residual_sums_take_the_Norm_rule_not_Zennits_unhooked_gradient()
    {
        // Zennit's defect (#49, #236): a sum that is not a hooked module passes its whole relevance to both terms.
        ILayerExplainer<double> net = Load<double>("resnet18");
        SafeTensorsFile lrp = SafeTensors.Read(LrpFixture.File("resnet18.lrp.safetensors"));
        double[] relevance = LrpFixture.Explain(net, BackwardRule.EpsilonPlus, Input("resnet18"), LrpFixture.OneHot(net.OutputSize, 9));
        Assert.Equal(0.9245181391483392, relevance.Sum(), 1e-9);
        Assert.Equal(188.53266823573733, lrp["relevance.epsilon_plus_unhooked_sum.target9"].ToDouble().Sum(), 1e-9);
    }
}
