using Relucent.Attribution;
using Relucent.Model;
using Relucent.Samples.Photographs;

namespace Relucent.Onnx.Tests.Pretrained;

/// <summary>
/// The core of samples/Photographs on one pair, cheaply (integrated gradients over 4 points): what it explains is the
/// similarity score it reports, its maps come out of the generated class as the interpreter computes them, the
/// gradient it draws is the score's derivative, its Grad-CAM map (at <see cref="ResNet18.CamLayer"/>, the ReLU after the
/// last residual sum, which the import names after its ONNX node) is Grad-CAM's formula, and the picture has one column
/// per method.
/// </summary>
public class PhotographsSampleTests
{
    private static readonly Lazy<ResNet18> Network = new(ResNet18.LoadPretrained);

    private static readonly Lazy<ModelInput> Input = new(() => ModelInput.Load(ResNet18.PreprocessPath));

    [Fact]
    public void One_pair_is_explained_with_every_column_and_drawn()
    {
        var explainer = new SimilarityExplainer(Network.Value, Input.Value, SimilarityColumn.Standard(steps: 4));
        Photograph astronaut = Photograph.Shipped("astronaut"), rocket = Photograph.Shipped("rocket");
        ExplainedPair row = explainer.Explain(astronaut, rocket);

        float[] x = Network.Value.Forward(Input.Value.Prepare(astronaut)), y = Network.Value.Forward(Input.Value.Prepare(rocket));
        double score = x.Zip(y, (a, b) => (double)a * b).Sum();
        Assert.Equal(score, row.Score, 6);
        Assert.InRange(row.Cosine, 0.1, 0.99);

        Assert.Equal(new[] { "Saliency", "DeconvNet", "GuidedBackprop", "integrated gradients", "EpsilonPlusFlat", "Grad-CAM" }, explainer.Columns.Select(c => c.Title));
        Assert.Equal(6, row.Planes.Count);
        Assert.Equal(6, row.Times.Count);
        // The input maps at the photograph's size, Grad-CAM at its layer's 7 × 7 (the grid enlarges it).
        Assert.Equal(new[] { 224 * 224, 224 * 224, 224 * 224, 224 * 224, 224 * 224, 7 * 7 }, row.Planes.Select(p => p.Length));
        foreach (float[] plane in row.Planes)
        {
            Assert.All(plane, v => Assert.True(float.IsFinite(v) && v >= 0));
            Assert.True(plane.Count(v => v > 0) > plane.Length / 2, "most pixels have some heat");
        }

        using var grid = SimilarityGrid.Draw(new[] { row });
        Assert.Equal((8 * 224 + 9 * 4, 224 + 2 * 4), (grid.Width, grid.Height));
        using var half = SimilarityGrid.Half(grid);
        Assert.Equal((grid.Width / 2, grid.Height / 2), (half.Width, half.Height));
    }

    [Fact]
    public void The_generated_maps_of_the_score_are_the_interpreter_s()
    {
        float[] x = Input.Value.Prepare(Photograph.Shipped("chelsea"));
        double[] seed = Network.Value.Forward(Input.Value.Prepare(Photograph.Shipped("coffee"))).Select(v => (double)v).ToArray();
        OnnxImportResult imported = OnnxImport.Import(ResNet18.ModelPath);
        var interpreter = Interpreter<float>.FromTensors(imported.Network, imported.Tensors);
        foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop, BackwardRule.EpsilonPlusFlat })
        {
            float[] generated = Network.Value.Explain(rule, x, Target.Seed(seed)), interpreted = interpreter.Explain(rule, x, Target.Seed(seed));
            double largest = interpreted.Max(Math.Abs);
            Assert.True(largest > 0, $"{rule}: the map is all zeros");
            // The generated maps merge each BatchNorm into the convolution before it, rounding differently from the interpreter's
            // declared layers (a few units of the last place). DeconvNet reads no ReLU mask: its map differs by that rounding only.
            // Saliency and GuidedBackprop read each ReLU's mask, and where a ReLU's input lies within that rounding of zero the
            // merged pass may take the other side (here one of the 200,704 inputs of ReLU283, 1.9e-6), changing the map by that
            // unit's share: 3.4e-3 of the largest value at one pixel, 8.6e-5 of the whole map's L1 norm. So those are compared in L1.
            double worst = generated.Zip(interpreted, (a, b) => Math.Abs(a - b)).Max();
            double l1 = generated.Zip(interpreted, (a, b) => Math.Abs(a - b)).Sum() / interpreted.Sum(v => Math.Abs(v));
            if (rule == BackwardRule.DeconvNet) Assert.True(worst <= 1e-4 * largest, $"{rule}: the generated map differs from the interpreter's by {worst:G3}, {worst / largest:G3} of its largest value");
            else Assert.True(l1 <= 1e-3, $"{rule}: the generated map differs from the interpreter's by {l1:G3} of its L1 norm (at most {worst / largest:G3} of its largest value)");
        }
    }

    [Fact]
    public void The_saliency_map_is_the_derivative_of_the_score()
    {
        // sᵀ·f(x ± ε·d) along a random direction d, in float64 through the interpreter: its central difference is the
        // map's dot product with d.
        float[] photograph = Input.Value.Prepare(Photograph.Shipped("rocket"));
        double[] seed = Network.Value.Forward(Input.Value.Prepare(Photograph.Shipped("astronaut"))).Select(v => (double)v).ToArray();
        float[] map = Network.Value.Saliency(photograph, seed.Select(v => (float)v).ToArray());
        OnnxImportResult imported = OnnxImport.Import(ResNet18.ModelPath);
        var exact = Interpreter<double>.FromTensors(imported.Network, imported.Tensors);
        var random = new Random(3);
        double[] d = photograph.Select(_ => random.Next(2) == 0 ? -1.0 : 1.0).ToArray();
        const double epsilon = 1e-3;
        double Score(double sign) => exact.Forward(photograph.Select((v, i) => v + sign * epsilon * d[i]).ToArray()).Zip(seed, (f, s) => f * s).Sum();
        double difference = (Score(1) - Score(-1)) / (2 * epsilon);
        double predicted = map.Zip(d, (m, di) => m * di).Sum();
        Assert.True(Math.Abs(difference - predicted) <= 1e-3 * map.Sum(m => Math.Abs(m)),
            $"the map predicts {predicted:G6} along d, the central difference gives {difference:G6}");
    }

    [Fact]
    public void The_Grad_CAM_map_is_the_gradient_weighted_activation_and_its_values_sum_to_the_score()
    {
        ResNet18 net = Network.Value;
        float[] x = Input.Value.Prepare(Photograph.Shipped("chelsea"));
        float[] s = net.Forward(Input.Value.Prepare(Photograph.Shipped("coffee"))), f = net.Forward(x);
        Target target = Target.Seed(s.Select(v => (double)v).ToArray());
        double score = s.Zip(f, (a, b) => (double)a * b).Sum();

        var gradCam = new GradCam<float>(net, ResNet18.CamLayer);
        float[] cam = gradCam.Attribute(x, target);
        float[] activation = new LayerActivation<float>(net, ResNet18.CamLayer).Attribute(x);
        float[] gradient = new LayerGradient<float>(net, ResNet18.CamLayer).Attribute(x, target);
        Assert.Equal(Shape.Image(1, 7, 7), gradCam.ResultShape);
        Assert.Equal(512 * 49, activation.Length);

        // Σ_k mean_p(∂s/∂A_kp)·A_kp, in float64 from the layer's activation and gradient.
        var expected = new double[49];
        for (int k = 0; k < 512; k++)
        {
            double weight = 0;
            for (int p = 0; p < 49; p++) weight += gradient[k * 49 + p];
            weight /= 49;
            for (int p = 0; p < 49; p++) expected[p] += weight * activation[k * 49 + p];
        }

        double largest = expected.Max(Math.Abs);
        Assert.True(largest > 1, $"the largest value of the map is {largest}: the photograph did not reach the layer");
        double worst = cam.Select((c, p) => Math.Abs(c - expected[p])).Max();
        Assert.True(worst <= 1e-5 * largest, $"Grad-CAM differs from Σ_k mean(∂s/∂A_k)·A_k by {worst:G3} of {largest:G4}");

        // The layer feeds a global average pool, so f_k = Σ_p A_kp / 49 and ∂(sᵀf)/∂A_kp = s_k / 49 at every position p:
        // the Grad-CAM weights are s_k / 49, and the 49 values sum to Σ_k (s_k / 49)·Σ_p A_kp = Σ_k s_k·f_k, the score.
        // (The features are pooled ReLU outputs, so s ≥ 0 and A ≥ 0: the map has no negative part here.)
        double worstGradient = gradient.Select((g, i) => Math.Abs(g - s[i / 49] / 49.0)).Max();
        Assert.True(worstGradient <= 1e-6 * s.Max() / 49, $"the gradient at the layer differs from s_k / 49 by {worstGradient:G3}");
        double sum = cam.Sum(v => (double)v);
        Assert.True(Math.Abs(sum - score) <= 1e-5 * score, $"the map sums to {sum:G8}, the score is {score:G8}");
        Assert.All(cam, v => Assert.True(v >= 0));
    }
}
