using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;
using static Relucent.Tests.Reliability.InputValidationTests;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// NaN or infinity in an input or a seed is refused before any work, by one scan per call (<c>Guard.Finite</c>),
    /// naming the argument, the value and its index (in a batch, the example too: <c>inputs[4]: holds NaN at [0, 8, 4]</c>);
    /// a caller that has checked its data may skip the scan with <c>workspace.CheckFinite = false</c>, or
    /// <c>BatchRunner.CheckFinite = false</c> for a batch.
    /// </summary>
    public class NonFiniteInputTests
    {
        private static readonly CaptumLeNet Net = LeNet();

        public static TheoryData<float, string> NonFinite() => new()
        {
            { float.NaN, "NaN" },
            { float.PositiveInfinity, "+infinity" },
            { float.NegativeInfinity, "-infinity" },
        };

        [Theory]
        [MemberData(nameof(NonFinite))]
        public void A_non_finite_input_is_refused_naming_the_argument_value_and_index(float bad, string says)
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 8)[0];
            x[17] = bad;
            var workspace = new CaptumLeNet.Workspace();
            var result = new float[CaptumLeNet.InputSize];
            string[] fragments = [says, "index 17", "finite"];

            AssertArgument<ArgumentException>(() => Net.Saliency(x, 0), "input", fragments);
            AssertArgument<ArgumentException>(() => Net.DeconvNet(x, OneHot(1, 5)), "input", fragments);
            AssertArgument<ArgumentException>(() => Net.GuidedBackprop(x, 2, result, workspace), "input", fragments);
            AssertArgument<ArgumentException>(() => Net.Forward(x), "input", fragments);
            IExplainer<float> explainer = Net;
            AssertArgument<ArgumentException>(() => explainer.Explain(BackwardRule.Saliency, x, OneHot(3, 5), result, explainer.CreateWorkspace()), "input", fragments);

            // Refused before any work: nothing was copied into the workspace or written to the result.
            Assert.All(workspace.a0, v => Assert.Equal(0f, v));
            Assert.All(result, v => Assert.Equal(0f, v));
        }

        [Theory]
        [MemberData(nameof(NonFinite))]
        public void A_non_finite_seed_is_refused_naming_the_seed(float bad, string says)
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 9)[0];
            float[] seed = [0, 1, 0, bad, 0];
            AssertArgument<ArgumentException>(() => Net.Saliency(x, seed), "seed", says, "index 3");
            AssertArgument<ArgumentException>(() => Net.GuidedBackprop(x, seed, new float[144], new CaptumLeNet.Workspace()), "seed", says, "index 3");
        }

        [Fact]
        public void Double_precision_networks_refuse_non_finite_inputs_too()
        {
            var net = CaptumLeNet64.Load(Fixture.Path("lenet.weights.safetensors"));
            double[] x = RandomParameters.Input(CaptumLeNet64.InputSize, 1);
            x[CaptumLeNet64.InputSize - 1] = double.NaN;
            AssertArgument<ArgumentException>(() => net.Saliency(x, 0), "input", "NaN", $"index {CaptumLeNet64.InputSize - 1}");
            x[CaptumLeNet64.InputSize - 1] = double.NegativeInfinity;
            AssertArgument<ArgumentException>(() => net.DeconvNet(x, 0), "input", "-infinity");
        }

        [Theory]
        [MemberData(nameof(NonFinite))]
        public void A_batch_with_a_non_finite_example_names_the_example_and_the_position(float bad, string says)
        {
            float[][] rows = Inputs(6, CaptumLeNet.InputSize, seed: 10);
            rows[4][100] = bad; // [0, 8, 4] in the [1, 12, 12] input
            float[] inputs = rows.SelectMany(r => r).ToArray();
            var targets = new int[6];
            var seeds = new float[6 * CaptumLeNet.OutputSize];
            var results = new float[inputs.Length];
            var outputs = new float[6 * CaptumLeNet.OutputSize];
            string[] fragments = ["inputs[4]: ", says, "at [0, 8, 4]", "finite"];
            foreach (int workers in new[] { 1, 2, 3 })
            {
                AssertNamed(() => Batch.Forward<float>(Net, inputs, outputs, workers), "inputs", "input", fragments);
                AssertNamed(() => Batch.Explain<float>(Net, BackwardRule.Saliency, inputs, targets, results, workers), "inputs", "input", fragments);
                AssertNamed(() => Batch.Explain<float>(Net, BackwardRule.DeconvNet, inputs, seeds, results, workers), "inputs", "input", fragments);

                // A reused runner names it every time, and stays usable once the example is repaired.
                using var runner = new BatchRunner<float>(Net, workers);
                for (int round = 0; round < 2; round++)
                {
                    AssertNamed(() => runner.Forward(inputs, outputs), "inputs", "input", fragments);
                    AssertNamed(() => runner.Explain(BackwardRule.GuidedBackprop, inputs, targets, results), "inputs", "input", fragments);
                    AssertNamed(() => runner.Explain(BackwardRule.Saliency, inputs, seeds, results), "inputs", "input", fragments);
                }
                float[] repaired = (float[])inputs.Clone();
                repaired[4 * CaptumLeNet.InputSize + 100] = 0;
                runner.Forward(repaired, outputs);
            }
        }

        [Fact]
        public void A_batch_with_a_non_finite_seed_names_the_example_and_the_position()
        {
            float[] inputs = Inputs(5, CaptumLeNet.InputSize, seed: 13).SelectMany(r => r).ToArray();
            var seeds = new float[5 * CaptumLeNet.OutputSize];
            seeds[2 * CaptumLeNet.OutputSize + 3] = float.PositiveInfinity;
            var results = new float[inputs.Length];
            foreach (int workers in new[] { 1, 2 })
            {
                AssertNamed(() => Batch.Explain<float>(Net, BackwardRule.Saliency, inputs, seeds, results, workers), "seeds", "seed",
                    "seeds[2]: holds +infinity at [3]");
                using var runner = new BatchRunner<float>(Net, workers);
                AssertNamed(() => runner.Explain(BackwardRule.GuidedBackprop, inputs, seeds, results), "seeds", "seed", "seeds[2]: holds +infinity at [3]");
            }
        }

        [Fact]
        public void A_batch_with_several_non_finite_examples_always_names_the_lowest()
        {
            float[][] rows = Inputs(24, CaptumLeNet.InputSize, seed: 14);
            rows[9][0] = float.NaN;
            rows[3][143] = float.NegativeInfinity;
            rows[20][5] = float.NaN;
            float[] inputs = rows.SelectMany(r => r).ToArray();
            var results = new float[inputs.Length];
            foreach (int workers in new[] { 1, 2, 3, 4 })
            {
                using var runner = new BatchRunner<float>(Net, workers);
                for (int round = 0; round < 10; round++)
                {
                    AssertNamed(() => runner.Explain(BackwardRule.Saliency, inputs, new int[24], results), "inputs", "input",
                        "inputs[3]: holds -infinity at [0, 11, 11]");
                }
            }
        }

        [Fact]
        public void A_batch_runner_with_CheckFinite_false_lets_NaN_through_and_leaves_finite_examples_unchanged()
        {
            float[][] rows = Inputs(7, CaptumLeNet.InputSize, seed: 15);
            float[] finite = rows.SelectMany(r => r).ToArray();
            float[] inputs = (float[])finite.Clone();
            inputs[4 * CaptumLeNet.InputSize + 17] = float.NaN;
            int[] targets = Enumerable.Range(0, 7).Select(i => i % CaptumLeNet.OutputSize).ToArray();
            float[] seeds = Inputs(1, 7 * CaptumLeNet.OutputSize, seed: 16)[0];
            int inSize = CaptumLeNet.InputSize, outSize = CaptumLeNet.OutputSize;

            // The reference: the all-finite batch, scanned.
            var expectedOutputs = new float[7 * outSize];
            var expectedMaps = new float[7 * inSize];
            var expectedSeeded = new float[7 * inSize];
            Batch.Forward<float>(Net, finite, expectedOutputs, 1);
            Batch.Explain<float>(Net, BackwardRule.GuidedBackprop, finite, targets, expectedMaps, 1);
            Batch.Explain<float>(Net, BackwardRule.DeconvNet, finite, seeds, expectedSeeded, 1);

            foreach (int workers in new[] { 1, 2, 3 })
            {
                using var runner = new BatchRunner<float>(Net, workers);
                Assert.True(runner.CheckFinite, "the scan is on by default");
                var outputs = new float[7 * outSize];
                var maps = new float[7 * inSize];
                var seeded = new float[7 * inSize];
                AssertNamed(() => runner.Forward(inputs, outputs), "inputs", "input", "inputs[4]");

                runner.CheckFinite = false;
                Array.Fill(outputs, 12345f);
                runner.Forward(inputs, outputs);
                runner.Explain(BackwardRule.GuidedBackprop, inputs, targets, maps);
                runner.Explain(BackwardRule.DeconvNet, inputs, seeds, seeded);
                for (int n = 0; n < 7; n++)
                {
                    if (n == 4) continue; // the NaN example's results are whatever the NaN made of them
                    Assert.True(BitEqual<float>(expectedOutputs.AsSpan(n * outSize, outSize), outputs.AsSpan(n * outSize, outSize)), $"outputs of example {n}, {workers} workers");
                    Assert.True(BitEqual<float>(expectedMaps.AsSpan(n * inSize, inSize), maps.AsSpan(n * inSize, inSize)), $"target map of example {n}, {workers} workers");
                    Assert.True(BitEqual<float>(expectedSeeded.AsSpan(n * inSize, inSize), seeded.AsSpan(n * inSize, inSize)), $"seeded map of example {n}, {workers} workers");
                }
                // The NaN example went through (its output written), not refused; what the NaN made of it is not promised.
                Assert.DoesNotContain(12345f, outputs.AsSpan(4 * outSize, outSize).ToArray());

                // Every example non-finite: whichever worker takes one, its workspace lets it through.
                float[] allBad = Enumerable.Repeat(float.PositiveInfinity, 40 * inSize).ToArray();
                runner.Forward(allBad, new float[40 * outSize]);

                // And back on, the scan is back on.
                runner.CheckFinite = true;
                AssertNamed(() => runner.Forward(inputs, outputs), "inputs", "input", "inputs[4]");
            }
        }

        // The batch's exception: the batch argument named, the example's position in the message, the single call's inside.
        private static void AssertNamed(Action call, string argument, string innerArgument, params string[] fragments)
        {
            ArgumentException e = AssertArgument<ArgumentException>(call, argument, fragments);
            var inner = Assert.IsType<ArgumentException>(e.InnerException);
            Assert.Equal(innerArgument, inner.ParamName);
            Assert.Contains("finite", inner.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void CheckFinite_false_skips_the_scan_and_leaves_finite_inputs_unchanged()
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 12)[0];
            var checkedWorkspace = new CaptumLeNet.Workspace();
            var unchecked_ = new CaptumLeNet.Workspace { CheckFinite = false };
            Assert.True(checkedWorkspace.CheckFinite, "the scan is on by default");
            var a = new float[CaptumLeNet.InputSize];
            var b = new float[CaptumLeNet.InputSize];
            Net.GuidedBackprop(x, 1, a, checkedWorkspace);
            Net.GuidedBackprop(x, 1, b, unchecked_);
            Assert.True(BitEqual<float>(a, b), "skipping the scan changed a finite map");

            // Skipped, a NaN goes through unnoticed: the caller has taken that on.
            x[17] = float.NaN;
            Net.Saliency(x, 1, b, unchecked_);
            var logits = new float[CaptumLeNet.OutputSize];
            Net.Forward(x, logits, unchecked_);
        }
    }
}
