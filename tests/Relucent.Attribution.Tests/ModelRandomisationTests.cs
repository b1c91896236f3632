using Relucent.Metrics;
using Xunit.Abstractions;

namespace Relucent.Attribution.Tests;

public class ModelRandomisationTests(ITestOutputHelper output)
{
    [Fact]
    public void Cascading_randomisation_of_the_lenet_reports_each_rule_and_layer()
    {
        SafeTensorsFile weights = Fixture.Weights("lenet");
        SafeTensorsFile cases = Fixture.Cases("lenet");
        float[] inputs = cases["inputs"].ToArray<float>();
        Target[] targets = Target.Classes(cases["targets"].ToInt64().Select(t => (int)t).ToArray());

        ModelRandomisationResult result = SanityChecks.ModelRandomisation<float>(t => CaptumLeNet.FromTensors(t), weights, inputs, targets);
        output.WriteLine(result.ToString());

        // From the output down: the fixture LeNet's Dense(5) is "9", its Dense(16) "7", the convolutions "3" and "0".
        Assert.Equal(new[] { "9", "7", "3", "0" }, result.Layers);
        Assert.Equal(new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop }, result.Rules);
        Assert.Equal(12, result.Steps.Count);

        // The gradient decorrelates as soon as the top layer is random, and stays so.
        for (int step = 0; step < result.Layers.Count; step++)
        {
            Assert.InRange(result[BackwardRule.Saliency, step].Spearman, -0.3, 0.3);
        }

        // Adebayo et al.'s finding, reproduced and not hidden: DeconvNet and guided backpropagation stay correlated with
        // their original maps when the top layers are random (here ρ ≈ 0.7–0.85 with the output layer random), and stay
        // above the gradient at every step. (The fixture weights are untrained; the pattern is the published one.)
        Assert.InRange(result[BackwardRule.DeconvNet, 0].Spearman, 0.5, 1);
        Assert.InRange(result[BackwardRule.GuidedBackprop, 0].Spearman, 0.5, 1);
        for (int step = 0; step < result.Layers.Count; step++)
        {
            double saliency = result[BackwardRule.Saliency, step].Spearman;
            Assert.True(result[BackwardRule.DeconvNet, step].Spearman > saliency + 0.2, $"step {step}: DeconvNet ρ should exceed the gradient's\n{result}");
            Assert.True(result[BackwardRule.GuidedBackprop, step].Spearman > saliency + 0.2, $"step {step}: guided backprop ρ should exceed the gradient's\n{result}");
        }

        // Randomising the same layers with the same seed repeats the numbers.
        ModelRandomisationResult again = SanityChecks.ModelRandomisation<float>(t => CaptumLeNet.FromTensors(t), weights, inputs, targets);
        Assert.Equal(result.Steps, again.Steps);
    }

    [Fact]
    public void The_original_tensors_are_left_alone_and_a_method_can_be_chosen()
    {
        SafeTensorsFile weights = Fixture.Weights("mlp");
        float[] before = weights["0.weight"].ToSingle();
        float[] inputs = Fixture.Cases("mlp")["inputs"].ToArray<float>();
        ModelRandomisationResult result = SanityChecks.ModelRandomisation<float>(t => Mlp.FromTensors(t), weights, inputs, new Target[] { 0 },
            new ModelRandomisationOptions { Rules = new[] { BackwardRule.Saliency }, Seed = 3 },
            (net, rule) => new IntegratedGradients<float>(net, rule) { Steps = 8 });
        output.WriteLine(result.ToString());
        Assert.Equal(new[] { "4", "2", "0" }, result.Layers);
        Assert.Equal(3, result.Steps.Count);
        Assert.Equal(before, weights["0.weight"].ToSingle());
    }
}
