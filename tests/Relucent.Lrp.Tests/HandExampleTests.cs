namespace Relucent.Lrp.Tests;

/// <summary>Issue 20's hand-computed example: a 2-2-1 ReLU network under EpsilonPlus (ε on both dense layers).</summary>
public sealed class HandExampleTests
{
    private static readonly double[] Input = { 1, 2 };

    // W¹ = [[1, 0.5], [−1, 0.25]], b¹ = (0.5, 0), W² = [[2, 3]], b² = −1, as PyTorch state_dict tensors.
    private static Dictionary<string, Tensor> Weights() => new()
    {
        ["0.weight"] = Tensor.FromDouble(new double[] { 1, 0.5, -1, 0.25 }, 2, 2),
        ["0.bias"] = Tensor.FromDouble(new double[] { 0.5, 0 }, 2),
        ["2.weight"] = Tensor.FromDouble(new double[] { 2, 3 }, 1, 2),
        ["2.bias"] = Tensor.FromDouble(new double[] { -1 }, 1),
    };

    [Fact]
    public void Generated_EpsilonPlus_gives_the_hand_computed_relevance_exactly()
    {
        HandExample net = HandExample.FromTensors(Weights());
        Assert.Equal(new[] { 4.0 }, net.Forward(Input));
        double[] relevance = net.EpsilonPlus(Input, target: 0);
        // 5 / (4.000001 · 2.500001) each, bit for bit as the issue computes it.
        Assert.Equal(new[] { 0.4999996750001612, 0.4999996750001612 }, relevance);
    }

    [Fact]
    public void The_interpreter_gives_the_hand_computed_relevance_exactly()
    {
        Interpreter<double> interpreter = Interpreter<double>.FromTensors(HandExample.Architecture, Weights());
        Assert.Equal(new[] { 0.4999996750001612, 0.4999996750001612 }, interpreter.Backward(Input, 0, BackwardRule.EpsilonPlus));
    }

    [Fact]
    public void The_fixture_holds_the_same_example()
    {
        SafeTensorsFile cases = LrpFixture.Runs("handexample");
        Assert.Equal(Input, cases["input"].ToDouble());
        Assert.Equal(new[] { 0.4999996750001612, 0.4999996750001612 }, cases["relevance.epsilon_plus.target0"].ToDouble());
        HandExample net = HandExample.FromTensors(LrpFixture.StateDict("handexample"));
        Assert.Equal(cases["relevance.epsilon_plus.target0"].ToDouble(), net.EpsilonPlus(Input, target: 0));
    }
}
