using MathNet.Numerics.LinearAlgebra;
using Relucent.Attribution;
using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// A wrong call fails before any work is done, with an exception naming the argument, the expected value and the
    /// actual one: a wrong input length or shape, a target outside the classes, a seed or result of the wrong length.
    /// (NaN and infinity in the input: <see cref="NonFiniteInputTests"/>.)
    /// </summary>
    public class InputValidationTests
    {
        private static readonly CaptumLeNet Net = LeNet();

        public static TheoryData<int> WrongInputLengths() => new() { 0, 1, 143, 145, 288 };

        [Theory]
        [MemberData(nameof(WrongInputLengths))]
        public void A_wrong_input_length_names_the_argument_and_both_lengths(int length)
        {
            var x = new float[length];
            var result = new float[CaptumLeNet.InputSize];
            var workspace = new CaptumLeNet.Workspace();
            IExplainer<float> explainer = Net;
            string[] says = [$"has {length} values", "expected 144"];

            AssertArgument<ArgumentException>(() => Net.Saliency(x, 0), "input", says);
            AssertArgument<ArgumentException>(() => Net.DeconvNet(x, 0), "input", says);
            AssertArgument<ArgumentException>(() => Net.GuidedBackprop(x, 0), "input", says);
            AssertArgument<ArgumentException>(() => Net.Saliency(x, OneHot(0, 5)), "input", says);
            AssertArgument<ArgumentException>(() => Net.Forward(x), "input", says);
            AssertArgument<ArgumentException>(() => Net.GuidedBackprop(x, 0, result, workspace), "input", says);
            AssertArgument<ArgumentException>(() => explainer.Explain(BackwardRule.Saliency, x, OneHot(0, 5), result, explainer.CreateWorkspace()), "input", says);
            AssertArgument<ArgumentException>(() => Net.Saliency(Vector<float>.Build.Dense(Math.Max(length, 1)), 0), "input",
                length == 0 ? ["has 1 values", "expected 144"] : says);
            AssertArgument<ArgumentException>(() => Net.SmoothGrad<float>(x, 0, samples: 2), "input", says);

            // The interpreter names the same things.
            var interpreter = Interpreter<float>.FromTensors(CaptumLeNet.Architecture, Fixture.Weights("lenet"));
            AssertArgument<ArgumentException>(() => interpreter.Backward(x, 0, BackwardRule.Saliency), "input", says);

            // A batch whose input length is not a whole number of examples.
            if (length % CaptumLeNet.InputSize != 0)
            {
                AssertArgument<ArgumentException>(() => Batch.Explain<float>(Net, BackwardRule.Saliency, x, new int[1], new float[144], 1), "inputs",
                    $"has {length} values", "multiple of InputSize = 144");
            }
        }

        [Theory]
        [InlineData(11, 12)]
        [InlineData(12, 11)]
        [InlineData(144, 1)]
        public void A_wrong_image_shape_names_the_argument_and_both_shapes(int rows, int columns)
        {
            Matrix<float> image = Matrix<float>.Build.Dense(rows, columns);
            string[] says = [$"is {rows}×{columns}", "expected 12×12"];
            AssertArgument<ArgumentException>(() => Net.Saliency(image, 0), "input", says);
            AssertArgument<ArgumentException>(() => Net.DeconvNet(image, 0), "input", says);
            AssertArgument<ArgumentException>(() => Net.GuidedBackprop(image, Vector<float>.Build.Dense(5)), "input", says);
            AssertArgument<ArgumentException>(() => Net.Forward(image), "input", says);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(5)]
        [InlineData(int.MaxValue)]
        [InlineData(int.MinValue)]
        public void A_target_outside_the_classes_names_the_argument_the_classes_and_the_value(int target)
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 1)[0];
            string[] says = [$"{target}", "5 outputs", "0 to 4"];
            var e = AssertArgument<ArgumentOutOfRangeException>(() => Net.Saliency(x, target), "target", says);
            Assert.Equal(target, e.ActualValue);
            AssertArgument<ArgumentOutOfRangeException>(() => Net.DeconvNet(x, target, new float[144], new CaptumLeNet.Workspace()), "target", says);
            AssertArgument<ArgumentOutOfRangeException>(() => Net.GuidedBackprop(Vector<float>.Build.Dense(x), target), "target", says);

            var batch = AssertArgument<ArgumentOutOfRangeException>(
                () => Batch.Explain<float>(Net, BackwardRule.Saliency, x.Concat(x).ToArray(), new[] { 0, target }, new float[288], 2),
                "targets", $"targets[1] = {target}", "5 classes");
            Assert.Equal(target, batch.ActualValue);

            var interpreter = Interpreter<float>.FromTensors(CaptumLeNet.Architecture, Fixture.Weights("lenet"));
            AssertArgument<ArgumentOutOfRangeException>(() => interpreter.Backward(x, target, BackwardRule.Saliency), "target", $"{target}", "5 classes");
            // Attribution targets: Target.Class refuses negative indices itself; int.MaxValue must still be refused as a
            // class the network does not have (it once overflowed Target's index + 1).
            if (target >= 0)
            {
                AssertArgument<ArgumentOutOfRangeException>(() => Net.Explain<float>(BackwardRule.Saliency, x, target), "target", says);
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(4)]
        [InlineData(6)]
        public void A_seed_of_the_wrong_length_names_the_argument_and_both_lengths(int length)
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 2)[0];
            var seed = new float[length];
            string[] says = [$"has {length} values", "expected 5"];
            AssertArgument<ArgumentException>(() => Net.Saliency(x, seed), "seed", says);
            AssertArgument<ArgumentException>(() => Net.DeconvNet(x, seed, new float[144], new CaptumLeNet.Workspace()), "seed", says);
            IExplainer<float> explainer = Net;
            AssertArgument<ArgumentException>(() => explainer.Explain(BackwardRule.GuidedBackprop, x, seed, new float[144], explainer.CreateWorkspace()), "seed", says);
            AssertArgument<ArgumentException>(() => Batch.Explain<float>(Net, BackwardRule.Saliency, x, seed, new float[144], 1), "seeds",
                $"has {length} values", "expected 5");
            var interpreter = Interpreter<float>.FromTensors(CaptumLeNet.Architecture, Fixture.Weights("lenet"));
            AssertArgument<ArgumentException>(() => interpreter.Backward(x, seed, BackwardRule.Saliency), "seed", says);
        }

        [Fact]
        public void A_result_buffer_or_workspace_of_the_wrong_kind_is_named()
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 3)[0];
            AssertArgument<ArgumentException>(() => Net.Saliency(x, 0, new float[143], new CaptumLeNet.Workspace()), "result", "has 143 values", "expected 144");
            AssertArgument<ArgumentException>(() => Net.Forward(x, new float[4], new CaptumLeNet.Workspace()), "output", "has 4 values", "expected 5");
            AssertArgument<ArgumentException>(() => Batch.Explain<float>(Net, BackwardRule.Saliency, x, new[] { 0 }, new float[143], 1), "results",
                "has 143 values", "expected 144");
            IExplainer<float> explainer = Net;
            IExplainer<float> other = Mlp();
            AssertArgument<ArgumentException>(() => explainer.Explain(BackwardRule.Saliency, x, OneHot(0, 5), new float[144], other.CreateWorkspace()), "workspace",
                "new CaptumLeNet.Workspace()");
            Assert.Throws<ArgumentNullException>("workspace", () => Net.Saliency(x, 0, new float[144], null!));
            Assert.Throws<ArgumentNullException>("input", () => Net.Saliency((float[])null!, 0));
        }

        [Fact]
        public void A_failed_call_does_no_work_the_workspace_and_result_keep_their_values()
        {
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 4)[0];
            var workspace = new CaptumLeNet.Workspace();
            float[] result = Enumerable.Repeat(-7f, CaptumLeNet.InputSize).ToArray();
            Array.Fill(workspace.a0, 3f);
            Array.Fill(workspace.r10, 3f);
            Array.Fill(workspace.r0, 3f);

            Assert.Throws<ArgumentOutOfRangeException>(() => Net.Saliency(x, 5, result, workspace));
            Assert.Throws<ArgumentException>(() => Net.DeconvNet(x, new float[4], result, workspace));
            Assert.Throws<ArgumentException>(() => Net.GuidedBackprop(x.AsSpan(1), 0, result, workspace));

            Assert.All(workspace.a0, v => Assert.Equal(3f, v));
            Assert.All(workspace.r10, v => Assert.Equal(3f, v));
            Assert.All(workspace.r0, v => Assert.Equal(3f, v));
            Assert.All(result, v => Assert.Equal(-7f, v));

            // A batch checks every target before the first example runs.
            float[] batchResults = Enumerable.Repeat(-7f, 3 * CaptumLeNet.InputSize).ToArray();
            Assert.Throws<ArgumentOutOfRangeException>(() =>
                Batch.Explain<float>(Net, BackwardRule.Saliency, x.Concat(x).Concat(x).ToArray(), new[] { 0, 1, 9 }, batchResults, 1));
            Assert.All(batchResults, v => Assert.Equal(-7f, v));
        }

        /// <summary>Asserts <paramref name="call"/> throws <typeparamref name="TException"/> for <paramref name="argument"/> with every fragment in its message.</summary>
        internal static TException AssertArgument<TException>(Action call, string argument, params string[] fragments) where TException : ArgumentException
        {
            var e = Assert.Throws<TException>(call);
            Assert.Equal(argument, e.ParamName);
            foreach (string fragment in fragments) Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
            return e;
        }
    }
}
