using CsCheck;
using Relucent.Model;
using Relucent.Tests.Kernels;
using Xunit;

namespace Relucent.Tests.Interpreter
{
    /// <summary>The Saliency rule is the true gradient: it must agree with central differences of the target logit.</summary>
    public class FiniteDifferenceTests
    {
        public static TheoryData<string> FamilyNames() => new(RandomNetworks.Families.Keys);

        [Theory]
        [MemberData(nameof(FamilyNames))]
        public void Saliency_is_the_gradient_of_the_target_logit(string family)
        {
            var rng = new Random(family.GetHashCode(StringComparison.Ordinal) ^ 12345);
            double largest = 0;
            for (int trial = 0; trial < Numerics.Iterations(6); trial++)
            {
                Network network = RandomNetworks.Families[family](rng);
                largest = Math.Max(largest, CheckGradient(network, rng, $"{family} #{trial}"));
            }
            Assert.True(largest > 1e-3, $"{family}: every gradient was (nearly) zero, the test checked nothing");
        }

        [Fact]
        public void Saliency_is_the_gradient_on_random_networks() =>
            Gen.Int.Sample(seed =>
            {
                var rng = new Random(seed);
                Network network = RandomNetworks.Create(rng, relu: rng.Next(2) == 0);
                CheckGradient(network, rng, network.ToString());
            }, iter: Numerics.Iterations(60));

        /// <summary>Checks every input coordinate; returns the gradient's largest magnitude.</summary>
        internal static double CheckGradient(Network network, Random rng, string label)
        {
            var interpreter = new Interpreter<double>(network, RandomNetworks.Parameters(network, rng));
            double[] x = Numerics.Uniform(rng, (int)network.InputShape.Size);
            int target = rng.Next((int)network.OutputShape.Size);
            double[] gradient = interpreter.Backward(x, target, BackwardRule.Saliency);
            Assert.Equal(x.Length, gradient.Length);
            double scale = Numerics.MaxAbs(gradient);
            double f0 = interpreter.Forward(x)[target];
            var probe = (double[])x.Clone();
            double F(int i, double h)
            {
                probe[i] = x[i] + h;
                double value = interpreter.Forward(probe)[target];
                probe[i] = x[i];
                return value;
            }

            int retried = 0;
            for (int i = 0; i < x.Length; i++)
            {
                // A ReLU kink or a max-pool switch change within h spoils the central difference; such a kink is
                // rare with continuous random inputs, so retry with smaller steps before calling it a mismatch.
                double difference = double.NaN, bound = 0;
                bool agreed = false;
                foreach (double h in new[] { 1e-6, 1e-7, 1e-8 })
                {
                    difference = (F(i, h) - F(i, -h)) / (2 * h);
                    bound = 1e-6 * scale + 4e-16 * (1 + Math.Abs(f0)) / h;
                    if (Math.Abs(difference - gradient[i]) <= bound)
                    {
                        agreed = true;
                        break;
                    }
                    retried++;
                }
                Assert.True(agreed, $"{label}\n∂logit[{target}]/∂x[{i}]: saliency {gradient[i]:R}, central difference {difference:R} (bound {bound:E2})");
            }
            Assert.True(retried <= Math.Max(2, x.Length / 20), $"{label}: {retried} of {x.Length} coordinates needed smaller steps");
            return scale;
        }
    }
}
