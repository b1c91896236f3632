using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;
using static Relucent.Tests.Reliability.InputValidationTests;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// NaN or infinity in an input or a seed is refused before any work, by one scan per call (<c>Guard.Finite</c>),
    /// naming the argument, the value and its index; a caller that has checked its data may skip the scan with
    /// <c>workspace.CheckFinite = false</c>.
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

        [Fact]
        public void A_batch_with_one_non_finite_example_fails_with_the_same_exception()
        {
            float[][] rows = Inputs(6, CaptumLeNet.InputSize, seed: 10);
            rows[4][100] = float.NaN;
            float[] inputs = rows.SelectMany(r => r).ToArray();
            foreach (int workers in new[] { 1, 2 })
            {
                AssertArgument<ArgumentException>(
                    () => Batch.Explain<float>(Net, BackwardRule.Saliency, inputs, new int[6], new float[inputs.Length], workers), "input", "NaN", "index 100");
            }
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
