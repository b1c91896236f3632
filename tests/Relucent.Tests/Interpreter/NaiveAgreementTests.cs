using System.Numerics;
using CsCheck;
using Relucent.Model;
using Relucent.Tests.Kernels;
using Xunit;

namespace Relucent.Tests.Interpreter
{
    /// <summary>The interpreter against an independent naive one, forward and under every rule, on random networks.</summary>
    public class NaiveAgreementTests
    {
        private static readonly BackwardRule[] Rules = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

        [Fact]
        public void Double_interpreter_agrees_with_the_naive_network() =>
            Gen.Int.Sample(seed => Check<double>(seed, 1e-11, 1e-3), iter: Numerics.Iterations(150));

        [Fact]
        public void Float_interpreter_agrees_with_the_naive_network() =>
            Gen.Int.Sample(seed => Check<float>(seed, 1e-4, 1e-2), iter: Numerics.Iterations(150));

        // floor: the smallest map scale the tolerance is relative to; float rounding in deep random networks is
        // relative to the intermediate values, which a saturated or mostly dead map can be far below.
        private static void Check<T>(int seed, double tolerance, double floor) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            Network network = RandomNetworks.Create(rng, relu: true);
            // Parameters and inputs that T holds exactly, so both sides compute from the same values.
            double[][] parameters = RandomNetworks.Parameters(network, rng).Select(Numerics.Representable<T>).ToArray();
            double[] x = Numerics.Representable<T>(Numerics.Uniform(rng, (int)network.InputShape.Size));
            var naive = new NaiveNetwork(network, parameters);
            var interpreter = new Interpreter<T>(network, parameters.Select(Numerics.To<T>).ToList());
            T[] input = Numerics.To<T>(x);

            Numerics.AssertClose(naive.Forward(x), interpreter.Forward(input), tolerance, $"forward of\n{network}", floor: floor);
            int target = rng.Next((int)network.OutputShape.Size);
            double[] seedSignal = new double[(int)network.OutputShape.Size];
            seedSignal[target] = 1;
            foreach (BackwardRule rule in Rules)
            {
                Numerics.AssertClose(naive.Backward(x, seedSignal, rule), interpreter.Backward(input, target, rule), tolerance, $"{rule} of\n{network}", floor: floor);
            }
        }
    }
}
