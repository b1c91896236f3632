using CsCheck;
using Relucent.Model;
using Relucent.Tests.Kernels;
using Xunit;

namespace Relucent.Tests.Interpreter
{
    /// <summary>Only ReLU layers differ between the rules, so on networks without ReLU all three maps are the same.</summary>
    public class RuleEquivalenceTests
    {
        [Fact]
        public void Without_relu_deconvnet_and_guided_backprop_equal_saliency_exactly()
        {
            Gen.Int.Sample(seed =>
            {
                var rng = new Random(seed);
                Network network = RandomNetworks.Create(rng, relu: false);
                Assert.DoesNotContain(Flatten(network.Layers), l => l is ReLULayer);
                double[][] parameters = RandomNetworks.Parameters(network, rng);
                double[] x = Numerics.Uniform(rng, (int)network.InputShape.Size);
                double[] seedSignal = Numerics.Uniform(rng, (int)network.OutputShape.Size);
                Check(new Interpreter<double>(network, parameters), x, seedSignal);
                Check(new Interpreter<float>(network, parameters.Select(Numerics.To<float>).ToList()), Numerics.To<float>(x), Numerics.To<float>(seedSignal));
            }, iter: Numerics.Iterations(100));
        }

        [Fact]
        public void With_relu_the_rules_differ_somewhere()
        {
            // The converse, so the property above is not vacuous: a ReLU network whose maps differ.
            Network network = Net.Input(4).Dense(6).ReLU().Dense(3);
            var rng = new Random(7);
            var interpreter = new Interpreter<double>(network, RandomNetworks.Parameters(network, rng));
            int differing = 0;
            for (int i = 0; i < 20; i++)
            {
                double[] x = Numerics.Uniform(rng, 4);
                double[] saliency = interpreter.Backward(x, 0, BackwardRule.Saliency);
                double[] deconv = interpreter.Backward(x, 0, BackwardRule.DeconvNet);
                double[] guided = interpreter.Backward(x, 0, BackwardRule.GuidedBackprop);
                if (!saliency.SequenceEqual(deconv) && !saliency.SequenceEqual(guided)) differing++;
            }
            Assert.True(differing > 0);
        }

        private static void Check<T>(Interpreter<T> interpreter, T[] x, T[] seed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            T[] saliency = interpreter.Backward(x, seed, BackwardRule.Saliency);
            Numerics.AssertIdentical<T>(saliency, interpreter.Backward(x, seed, BackwardRule.DeconvNet), "deconvnet");
            Numerics.AssertIdentical<T>(saliency, interpreter.Backward(x, seed, BackwardRule.GuidedBackprop), "guided backprop");
        }

        internal static IEnumerable<Layer> Flatten(IEnumerable<Layer> layers) =>
            layers.SelectMany(l => l is ResidualLayer r ? Flatten(r.Body).Prepend(l) : new[] { l });
    }
}
