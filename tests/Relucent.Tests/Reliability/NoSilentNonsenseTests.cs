using System.Numerics;
using Relucent.Tests.Generated;
using Relucent.Tests.Interpreter;
using InterpreterFiniteDifferences = Relucent.Tests.Interpreter.FiniteDifferenceTests;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// No silent nonsense: with finite inputs and weights, no rule of any network gives a NaN or an infinity, and
    /// Saliency is the gradient (central finite differences, double precision, ReLU kinks and max-pool ties skipped).
    /// Seeded loops, so a failure names the seed and the network and replays exactly.
    /// </summary>
    public class NoSilentNonsenseTests
    {
        // Input magnitudes: tiny, ordinary, large; plus all-zero and constant inputs (ReLU at its kink, max-pool ties everywhere).
        private static readonly double[] Scales = [1e-6, 1, 50, 1e4];

        [Fact]
        public void Random_networks_give_finite_logits_and_maps_under_every_rule()
        {
            int checkedMaps = 0;
            for (int seed = 0; seed < 150; seed++)
            {
                var rng = new Random(seed);
                Network network = RandomNetworks.Create(rng, relu: seed % 3 != 0);
                double[][] parameters = RandomNetworks.Parameters(network, rng);
                double weightScale = seed % 5 == 0 ? 3 : 1; // sometimes well beyond the usual initialisation
                foreach (double[] p in parameters) for (int i = 0; i < p.Length; i++) p[i] *= weightScale;

                checkedMaps += CheckFinite(new Interpreter<double>(network, parameters), rng, $"seed {seed} (double)\n{network}");
                checkedMaps += CheckFinite(new Interpreter<float>(network, parameters.Select(p => p.Select(v => (float)v).ToArray()).ToArray()), rng,
                    $"seed {seed} (float)\n{network}");
            }

            Assert.True(checkedMaps > 5000, $"only {checkedMaps} maps checked");
        }

        [Fact]
        public void Generated_networks_give_finite_logits_and_maps_under_every_rule()
        {
            var floatNetworks = new (Network Architecture, Func<Dictionary<string, Tensor>, IExplainer<float>> Load)[]
            {
                (CaptumLeNet.Architecture, t => CaptumLeNet.FromTensors(t)),
                (CaptumMlp.Architecture, t => CaptumMlp.FromTensors(t)),
                (CaptumAnalyticConv.Architecture, t => CaptumAnalyticConv.FromTensors(t)),
                (NoRelu.Architecture, t => NoRelu.FromTensors(t)),
                (SeedNetwork.Architecture, t => SeedNetwork.FromTensors(t)),
            };
            var doubleNetworks = new (Network Architecture, Func<Dictionary<string, Tensor>, IExplainer<double>> Load)[]
            {
                (EveryLayer64.Architecture, t => EveryLayer64.FromTensors(t)),
                (SmoothDense64.Architecture, t => SmoothDense64.FromTensors(t)),
                (CaptumLeNet64.Architecture, t => CaptumLeNet64.FromTensors(t)),
                (CaptumMlp64.Architecture, t => CaptumMlp64.FromTensors(t)),
            };

            int checkedMaps = 0;
            for (int seed = 0; seed < 12; seed++)
            {
                var rng = new Random(1000 + seed);
                foreach (var (architecture, load) in floatNetworks)
                {
                    checkedMaps += CheckFinite(load(RandomParameters.For(architecture, seed)), rng, $"{architecture.InputShape} float, seed {seed}");
                }

                foreach (var (architecture, load) in doubleNetworks)
                {
                    checkedMaps += CheckFinite(load(RandomParameters.For(architecture, seed)), rng, $"{architecture.InputShape} double, seed {seed}");
                }
            }

            Assert.True(checkedMaps > 1000, $"only {checkedMaps} maps checked");
        }

        [Fact]
        public void Saliency_of_random_networks_is_the_central_difference_gradient()
        {
            // The interpreter in double; Interpreter/FiniteDifferenceTests.CheckGradient retries smaller steps where a ReLU kink
            // or a max-pool switch lies within the step, and bounds how many coordinates may need that.
            double largest = 0;
            for (int seed = 0; seed < 40; seed++)
            {
                var rng = new Random(50_000 + seed);
                Network network = RandomNetworks.Create(rng, relu: seed % 2 == 0);
                largest = Math.Max(largest, InterpreterFiniteDifferences.CheckGradient(network, rng, $"seed {50_000 + seed}\n{network}"));
            }

            Assert.True(largest > 1e-3, "every gradient was (nearly) zero: the check would pass too easily");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Saliency_of_the_generated_every_layer_network_is_the_central_difference_gradient(int seed)
        {
            var net = EveryLayer64.FromTensors(RandomParameters.For(EveryLayer64.Architecture, seed));
            var rng = new Random(seed);
            int skipped = 0, compared = 0;
            for (int sample = 0; sample < 3; sample++)
            {
                double[] x = RandomParameters.Input(EveryLayer64.InputSize, 31 * seed + sample);
                int target = rng.Next(EveryLayer64.OutputSize);
                double[] gradient = net.Saliency(x, target);
                double scale = gradient.Max(Math.Abs);
                var probe = (double[])x.Clone();
                double F(int i, double h)
                {
                    probe[i] = x[i] + h;
                    double value = net.Forward(probe)[target];
                    probe[i] = x[i];
                    return value;
                }

                for (int i = 0; i < x.Length; i++)
                {
                    double coarse = (F(i, 1e-5) - F(i, -1e-5)) / 2e-5;
                    double fine = (F(i, 1e-6) - F(i, -1e-6)) / 2e-6;
                    // Steps that disagree with each other straddle a kink or a pooling tie: no derivative to compare there.
                    if (Math.Abs(coarse - fine) > 1e-6 * Math.Max(scale, 1e-12) + 1e-9)
                    {
                        skipped++;
                        continue;
                    }

                    compared++;
                    Assert.True(Math.Abs(fine - gradient[i]) <= 1e-6 * Math.Max(scale, 1e-12) + 1e-9,
                        $"seed {seed}, sample {sample}, target {target}: ∂/∂x[{i}] saliency {gradient[i]:R}, central difference {fine:R}");
                }
            }

            Assert.True(skipped <= compared / 20, $"{skipped} coordinates skipped as kinks, {compared} compared");
        }

        /// <summary>Logits and every rule's map (a random class, then a random seed vector) for several inputs; returns how many maps were checked.</summary>
        private static int CheckFinite<T>(IExplainer<T> net, Random rng, string label) where T : unmanaged, IFloatingPointIeee754<T>
        {
            IWorkspace workspace = net.CreateWorkspace();
            var input = new T[net.InputSize];
            var output = new T[net.OutputSize];
            var seed = new T[net.OutputSize];
            var map = new T[net.InputSize];
            int maps = 0;
            for (int kind = 0; kind < Scales.Length + 2; kind++)
            {
                double constant = rng.NextDouble() * 2 - 1;
                for (int i = 0; i < input.Length; i++)
                {
                    input[i] = T.CreateChecked(kind switch
                    {
                        0 => 0.0,
                        1 => constant,
                        _ => Scales[kind - 2] * (rng.NextDouble() * 4 - 2),
                    });
                }

                net.Forward(input, output, workspace);
                AssertFinite<T>(output, $"{label}: logits of input kind {kind}");
                foreach (BackwardRule rule in net.Rules)
                {
                    for (int s = 0; s < 2; s++)
                    {
                        Array.Clear(seed);
                        if (s == 0) seed[rng.Next(seed.Length)] = T.One;
                        else for (int o = 0; o < seed.Length; o++) seed[o] = T.CreateChecked(rng.NextDouble() * 2 - 1);
                        net.Explain(rule, input, seed, map, workspace);
                        AssertFinite<T>(map, $"{label}: {rule} map of input kind {kind}, seed {(s == 0 ? "one-hot" : "random")}");
                        maps++;
                    }
                }
            }

            return maps;
        }

        private static void AssertFinite<T>(ReadOnlySpan<T> values, string what) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i])) Assert.Fail($"{what}: value {i} is {values[i]}");
            }
        }
    }
}
