using Relucent.Model;

namespace Relucent.Attribution.Tests;

/// <summary>
/// Grad-CAM, Grad-CAM++, Guided Grad-CAM and the layer maps: against hand-computed values, against a naive formula over the
/// interpreter's activation and gradient (the second implementation), and the layer gradient against central finite
/// differences in float64 (the chain rule through the layer).
/// </summary>
public class LayerAttributionTests
{
    [Fact]
    public void Grad_cam_and_grad_cam_plus_plus_on_the_hand_computable_network_are_the_hand_computed_values()
    {
        TinyCam64 net = LayerModels.Tiny();
        double[] x = { 1, 2 };

        // A = [[1, 2], [0, 0.5]], g = [[0.5, -1], [2, 0]]. Grad-CAM's weights are the means: -0.25 and 1.
        double[] gradCam = new GradCam<double>(net, "act").Attribute(x, 0);
        Assert.Equal(new[] { -0.25 * 1 + 1 * 0, -0.25 * 2 + 1 * 0.5 }, gradCam);

        // Grad-CAM++ (pytorch-grad-cam): channel 0 has ΣA = 3; its g = 0.5 gives α = 0.25 / (2·0.25 + 3·0.125 + 1e-6), its
        // g = -1 counts nothing (max(g, 0) = 0). Channel 1 has ΣA = 0.5; g = 2 gives α = 4 / (2·4 + 0.5·8 + 1e-6), g = 0 nothing.
        double w0 = 0.5 * (0.25 / 0.875001), w1 = 2 * (4 / 12.000001);
        var plusPlus = new GradCamPlusPlus<double>(net, "act");
        double[] cam = plusPlus.Attribute(x, 0);
        Assert.Equal(w0, plusPlus.Weights[0], 15);
        Assert.Equal(w1, plusPlus.Weights[1], 15);
        Assert.Equal(w0 * 1 + w1 * 0, cam[0], 15);
        Assert.Equal(w0 * 2 + w1 * 0.5, cam[1], 15);
        Assert.Equal(Shape.Image(1, 1, 2), plusPlus.ResultShape);

        Assert.Equal(new[] { 1, 2, 0, 0.5 }, new LayerActivation<double>(net, "act").Attribute(x));
        Assert.Equal(new[] { 0.5, -1, 2, 0 }, new LayerGradient<double>(net, "act").Attribute(x, 0));
        Assert.Equal(new[] { 0.5, -2, 0, 0 }, new LayerGradientTimesActivation<double>(net, "act").Attribute(x, 0));
    }

    public static TheoryData<string> CamLayers() => new() { "stem", "block.conv1", "block.act", "block", "layer1", "layer2", "flat" };

    [Theory]
    [MemberData(nameof(CamLayers))]
    public void Grad_cam_and_grad_cam_plus_plus_are_their_formulas_over_the_interpreters_activation_and_gradient(string layer)
    {
        CamNet64 net = LayerModels.Cam64();
        Interpreter<double> interpreter = LayerModels.CamInterpreter();
        double[] x = LayerModels.Input();
        foreach (int target in new[] { 0, 3 })
        {
            var seed = new double[5];
            seed[target] = 1;
            (double[] a, double[] g) = interpreter.ExplainAt(BackwardRule.Saliency, layer, x, seed);
            Shape shape = net.NamedLayers.Single(l => l.Name == layer).Shape;
            int channels = shape.Channels, plane = shape.IsImage ? shape.Height * shape.Width : 1;
            var expectedCam = new double[plane];
            var expectedPlus = new double[plane];
            for (int k = 0; k < channels; k++)
            {
                double mean = 0, sumA = 0, plus = 0;
                for (int p = 0; p < plane; p++)
                {
                    mean += g[k * plane + p] / plane;
                    sumA += a[k * plane + p];
                }

                for (int p = 0; p < plane; p++)
                {
                    double gi = g[k * plane + p];
                    double alpha = gi == 0 ? 0 : gi * gi / (2 * gi * gi + sumA * gi * gi * gi + 1e-6);
                    plus += Math.Max(gi, 0) * alpha;
                }

                for (int p = 0; p < plane; p++)
                {
                    expectedCam[p] += mean * a[k * plane + p];
                    expectedPlus[p] += plus * a[k * plane + p];
                }
            }

            double[] cam = new GradCam<double>(net, layer).Attribute(x, target);
            Fixture.Close<double>(expectedCam, cam, 1e-12, $"Grad-CAM at {layer}, target {target}");
            Assert.Contains(cam, v => v != 0);
            Fixture.Close<double>(expectedPlus, new GradCamPlusPlus<double>(net, layer).Attribute(x, target), 1e-12, $"Grad-CAM++ at {layer}, target {target}");
            Fixture.Close<double>(expectedCam, new GradCam<double>(interpreter, layer).Attribute(x, target), 1e-12, $"Grad-CAM through the interpreter at {layer}");
            Assert.Equal(shape.IsImage ? Shape.Image(1, shape.Height, shape.Width) : Shape.Vector(1), new GradCam<double>(net, layer).ResultShape);
        }
    }

    [Theory]
    [MemberData(nameof(CamLayers))]
    public void The_layer_activation_is_the_forward_pass_alone_and_the_activation_the_backward_pass_reads(string layer)
    {
        // ActivationAt runs no backward pass; what it reads must still be the activation ExplainAt reads (the generated
        // network's buffer after the forward pass) and the interpreter's, inside the residual block too.
        CamNet64 net = LayerModels.Cam64();
        Interpreter<double> interpreter = LayerModels.CamInterpreter();
        double[] x = LayerModels.Input();
        (double[] read, _) = interpreter.ExplainAt(BackwardRule.Saliency, layer, x, new double[] { 0, 1, 0, 0, 0 });
        double[] activation = new LayerActivation<double>(net, layer).Attribute(x);
        Fixture.Close<double>(read, activation, 1e-12, $"the activation of {layer}");
        Assert.Equal(interpreter.ActivationAt(layer, x), new LayerActivation<double>(interpreter, layer).Attribute(x));
        Fixture.Close<double>(interpreter.ActivationAt(layer, x), activation, 1e-12, $"the activation of {layer}, interpreted");
        Assert.Contains(activation, v => v != 0);

        var explainer = (ILayerExplainer<double>)net;
        var wrong = new double[activation.Length + 1];
        var e = Assert.Throws<ArgumentException>(() => explainer.ActivationAt(layer, x, wrong, explainer.CreateWorkspace()));
        Assert.Contains($"activation has {wrong.Length} values, expected {activation.Length}", e.Message);
    }

    [Theory]
    [InlineData("stem")]
    [InlineData("block")]
    [InlineData("layer1")]
    [InlineData("layer2")]
    [InlineData("flat")]
    public void The_layer_gradient_is_the_chain_rule_through_the_layer_by_central_differences(string layer)
    {
        // For a direction d: y(x + εd) − y(x − εd) ≈ Σ_k g_k · (A_k(x + εd) − A_k(x − εd)), the gradient g at the layer
        // checked against the activations' own finite differences, independently of the backward pass. Only layers every
        // path passes through: inside the block the shortcut bypasses the layer (those are checked against the interpreter).
        CamNet64 net = LayerModels.Cam64();
        double[] x = LayerModels.Input(1);
        const int target = 2;
        double[] g = new LayerGradient<double>(net, layer).Attribute(x, target);
        var activation = new LayerActivation<double>(net, layer);
        var random = new Random(11);
        for (int trial = 0; trial < 3; trial++)
        {
            double[] d = x.Select(_ => random.NextDouble() - 0.5).ToArray();
            const double epsilon = 1e-6;
            double[] plus = x.Select((v, i) => v + epsilon * d[i]).ToArray(), minus = x.Select((v, i) => v - epsilon * d[i]).ToArray();
            double dy = net.Forward(plus)[target] - net.Forward(minus)[target];
            double[] aPlus = activation.Attribute(plus), aMinus = activation.Attribute(minus);
            double chain = 0;
            for (int i = 0; i < g.Length; i++) chain += g[i] * (aPlus[i] - aMinus[i]);
            Assert.True(Math.Abs(dy - chain) <= 1e-6 * Math.Max(Math.Abs(dy), 1e-3), $"{layer}: Δy {dy:E6} but Σ g·ΔA {chain:E6}");
        }
    }

    [Fact]
    public void Guided_grad_cam_is_the_guided_map_times_the_positive_grad_cam_read_at_pytorchs_nearest_source()
    {
        Target target = Target.Seed(0, 1, 0, -1, 0); // a contrast of two logits
        double[] x = LayerModels.Input(2);

        // The first of the networks whose Grad-CAM has both signs, so that its ReLU matters.
        CamNet64 net = Enumerable.Range(0, 30).Select(s => LayerModels.Cam64(s)).First(candidate =>
        {
            double[] map = new GradCam<double>(candidate, "layer2").Attribute(x, target);
            return map.Any(v => v < 0) && map.Any(v => v > 0);
        });
        var gradCam = new GradCam<double>(net, "layer2"); // 6×5 at layer2, input 12×10: source index ⌊i/2⌋
        double[] guided = net.Explain(BackwardRule.GuidedBackprop, x, target);
        double[] cam = gradCam.Attribute(x, target);
        double[] actual = new GuidedGradCam<double>(net, "layer2").Attribute(x, target);
        var expected = new double[360];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 12; i++)
            {
                for (int j = 0; j < 10; j++) expected[(c * 12 + i) * 10 + j] = guided[(c * 12 + i) * 10 + j] * Math.Max(cam[i / 2 * 5 + j / 2], 0);
            }
        }

        Assert.Equal(expected, actual);
        Assert.Contains(actual, v => v != 0);
    }

    [Fact]
    public void Guided_grad_cam_is_refused_by_name_without_the_guided_backprop_rule_and_for_a_vector_layer()
    {
        CamNetGradientOnly64 plain = CamNetGradientOnly64.FromTensors(LayerModels.Parameters(CamNet64.Architecture, 3));
        var e = Assert.Throws<ArgumentException>(() => new GuidedGradCam<double>(plain, "layer2"));
        Assert.Contains("GuidedGradCam<double> multiplies by the guided backpropagation map, but class CamNetGradientOnly64 has no GuidedBackprop rule; its rules are Saliency", e.Message);
        Assert.Contains("Add [GuidedBackprop] to the class", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GuidedGradCam<double>(LayerModels.Cam64(), "flat"));
        Assert.Contains("layer 'flat' is a vector [180]", e.Message);
    }

    [Fact]
    public void Unknown_layers_are_refused_naming_the_method_and_the_layers_there_are()
    {
        CamNet64 net = LayerModels.Cam64();
        var e = Assert.Throws<ArgumentException>(() => new GradCam<double>(net, "layer4"));
        Assert.Equal("layer", e.ParamName);
        Assert.Contains("GradCam<double>: No layer is named 'layer4'; the named layers are stem, block.conv1, block.act, block, layer1, layer2, flat, fc.", e.Message);
        e = Assert.Throws<ArgumentException>(() => new LayerGradient<double>(LayerModels.Tiny(), "act", BackwardRule.Saliency).Attribute(new double[3], 0));
        Assert.Equal("input", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new GradCam<double>(net, "layer2").Attribute(LayerModels.Input(), 0, new double[360]));
        Assert.Contains("result has 360 values, expected 30 (shape [1, 6, 5])", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradCam<double>(net, "layer2").Attribute(LayerModels.Input(), 5));
    }

    [Fact]
    public void Float32_agrees_with_float64_to_2e_3_of_the_largest_magnitude()
    {
        CamNet net32 = LayerModels.Cam32();
        CamNet64 net64 = LayerModels.Cam64();
        double[] x = LayerModels.Input(4);
        float[] x32 = x.Select(v => (float)v).ToArray();
        var pairs = new (IAttribution<float>, IAttribution<double>)[]
        {
            (new GradCam<float>(net32, "layer1"), new GradCam<double>(net64, "layer1")),
            (new GradCamPlusPlus<float>(net32, "layer2"), new GradCamPlusPlus<double>(net64, "layer2")),
            (new GuidedGradCam<float>(net32, "block"), new GuidedGradCam<double>(net64, "block")),
            (new LayerGradientTimesActivation<float>(net32, "stem"), new LayerGradientTimesActivation<double>(net64, "stem")),
            (new NeuronGradient<float>(net32, "layer2", BackwardRule.DeconvNet), new NeuronGradient<double>(net64, "layer2", BackwardRule.DeconvNet)),
        };
        foreach ((IAttribution<float> single, IAttribution<double> full) in pairs)
        {
            Fixture.Close(full.Attribute(x, 3), single.Attribute(x32, 3), 2e-3, single.GetType().Name);
        }
    }

    [Fact]
    public void Batches_and_smoothgrad_of_a_layer_method_have_the_layers_shape()
    {
        CamNet64 net = LayerModels.Cam64();
        var gradCam = new GradCam<double>(net, "layer2");
        double[] x0 = LayerModels.Input(0), x1 = LayerModels.Input(1);
        double[] maps = gradCam.AttributeBatch(x0.Concat(x1).ToArray(), Target.Classes(2, 4));
        Assert.Equal(60, maps.Length);
        Assert.Equal(gradCam.Attribute(x0, 2), maps[..30]);
        Assert.Equal(gradCam.Attribute(x1, 4), maps[30..]);

        // SmoothGrad of Grad-CAM with no noise is Grad-CAM itself.
        var smooth = new SmoothGrad<double>(gradCam) { Samples = 3, Noise = NoiseLevel.Absolute(0) };
        Assert.Equal(Shape.Image(1, 6, 5), ((IAttribution<double>)smooth).ResultShape);
        Fixture.Close<double>(gradCam.Attribute(x0, 2), smooth.Attribute(x0, 2), 1e-15, "SmoothGrad-CAM with σ = 0");
    }

    [Fact]
    public void Layer_methods_allocate_nothing_per_call_after_the_first()
    {
        CamNet net = LayerModels.Cam32();
        float[] x = LayerModels.Input().Select(v => (float)v).ToArray();
        var methods = new IAttribution<float>[]
        {
            new GradCam<float>(net, "layer2"),
            new GradCamPlusPlus<float>(net, "block"),
            new GuidedGradCam<float>(net, "layer1"),
            new LayerGradient<float>(net, "block.act", BackwardRule.GuidedBackprop),
            new LayerGradientTimesActivation<float>(net, "stem"),
            new NeuronGradient<float>(net, "layer2"),
        };
        foreach (IAttribution<float> method in methods)
        {
            var result = new float[method.ResultShape.Size];
            method.Attribute(x, 2, result); // warm up: workspace, JIT
            int call = 0;
            long allocated = Allocations.LeastPerWindow(() => method.Attribute(x, Target.Class(call++ % 5), result), calls: 5);
            Assert.True(allocated == 0, $"{method.GetType().Name} allocated {allocated} bytes or more in every window of 5 calls");
        }
    }
}
