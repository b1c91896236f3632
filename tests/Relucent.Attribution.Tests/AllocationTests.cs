namespace Relucent.Attribution.Tests;

/// <summary>Methods built once and called through their span overloads allocate nothing per call.</summary>
public class AllocationTests
{
    [Fact]
    public void Rule_maps_gradient_times_input_and_integrated_gradients_allocate_nothing_per_call()
    {
        CaptumLeNet net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        float[] x = Fixture.Row<float>(Fixture.Cases("lenet")["inputs"], 0);
        var result = new float[x.Length];
        var methods = new IAttribution<float>[]
        {
            new RuleMap<float>(net, BackwardRule.GuidedBackprop),
            new GradientTimesInput<float>(net),
            new IntegratedGradients<float>(net) { Steps = 10 },
        };
        foreach (IAttribution<float> method in methods)
        {
            method.Attribute(x, 2, result); // warm up: workspace, quadrature points, JIT
            int call = 0;
            long allocated = Allocations.LeastPerWindow(() => method.Attribute(x, Target.Class(call++ % 10), result), calls: 5);
            Assert.True(allocated == 0, $"{method.GetType().Name} allocated {allocated} bytes or more in every window of 5 calls");
        }

        var buffer = new float[x.Length];
        x.CopyTo(buffer, 0);
        Assert.Equal(0, Allocations.LeastPerWindow(() =>
        {
            PostProcessing.AbsInPlace<float>(buffer);
            PostProcessing.NormalizeInPlace<float>(buffer, Normalization.MinMax);
            PostProcessing.ReduceChannels<float>(buffer, result, ChannelReduction.Max, 1, 12, 12);
        }, calls: 1));
    }
}
