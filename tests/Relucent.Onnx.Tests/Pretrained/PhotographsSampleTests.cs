using Relucent.Attribution;
using Relucent.Samples.Photographs;

namespace Relucent.Onnx.Tests.Pretrained;

/// <summary>
/// The core of samples/Photographs on one pair, cheaply (integrated gradients over 4 points): what it explains is the
/// similarity score it reports, its maps come out of the generated class as the interpreter computes them, the
/// gradient it draws is the score's derivative, and the picture has one column per method.
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

        Assert.Equal(new[] { "Saliency", "DeconvNet", "GuidedBackprop", "integrated gradients" }, explainer.Columns.Select(c => c.Title));
        Assert.Equal(4, row.Planes.Count);
        foreach (float[] plane in row.Planes)
        {
            Assert.Equal(224 * 224, plane.Length);
            Assert.All(plane, v => Assert.True(float.IsFinite(v) && v >= 0));
            Assert.True(plane.Count(v => v > 0) > plane.Length / 2, "most pixels have some heat");
        }

        using var grid = SimilarityGrid.Draw(new[] { row });
        Assert.Equal((6 * 224 + 7 * 4, 224 + 2 * 4), (grid.Width, grid.Height));
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
        foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop })
        {
            float[] generated = Network.Value.Explain(rule, x, Target.Seed(seed)), interpreted = interpreter.Explain(rule, x, Target.Seed(seed));
            double largest = interpreted.Max(Math.Abs);
            Assert.True(largest > 0, $"{rule}: the map is all zeros");
            double worst = generated.Zip(interpreted, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-4 * largest, $"{rule}: the generated map differs from the interpreter's by {worst:G3}, {worst / largest:G3} of its largest value");
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
}
