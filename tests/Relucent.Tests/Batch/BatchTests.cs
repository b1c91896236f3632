using System.Numerics;
using Relucent.Model;
using Relucent.Tests.Generated;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Batching
{
    /// <summary>
    /// <see cref="Relucent.Batch"/> and <see cref="BatchRunner{T}"/>: a batch gives, bit for bit, what one call per example
    /// through <see cref="IExplainer{T}"/> gives, for every worker count and rule; wrong lengths are rejected naming the
    /// argument with the expected and actual counts; a reused runner allocates nothing.
    /// </summary>
    public class BatchTests
    {
        private static readonly BackwardRule[] Rules = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

        public static TheoryData<int> WorkerCounts() => new() { 1, 2, 3, 8, -1 };

        private static CaptumLeNet LeNet() => CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));

        private static T[] Random<T>(int count, int seed) where T : unmanaged, IFloatingPointIeee754<T> =>
            To<T>(Uniform(new Random(seed), count, -1, 2));

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void Batches_equal_one_call_per_example_in_float(int workers)
        {
            Check<float>(LeNet(), workers, examples: 23);
            Check<float>(CaptumMlp.Load(Fixture.Path("mlp.weights.safetensors")), workers, examples: 41);
        }

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void Batches_equal_one_call_per_example_in_double(int workers)
        {
            Check<double>(CaptumLeNet64.FromTensors(RandomParameters.For(CaptumLeNet64.Architecture, 9)), workers, examples: 19);
        }

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void A_dense_head_run_once_for_the_batch_gives_each_example_its_own_bits(int workers)
        {
            // Groups of up to 16 examples (small workspaces), even in size: 23 examples run as 12 + 11, 19 as 10 + 9; the runner's slices of 5, one group each.
            var net = HeadedNet.FromTensors(RandomParameters.For(HeadedNet.Architecture, 4));
            Check<float>(net, workers, examples: 23);
            Check<double>(HeadedBatchNorm64.FromTensors(RandomParameters.For(HeadedBatchNorm64.Architecture, 5)), workers, examples: 19);

            // The head did run batched: the same batch through a runner counts its head passes.
            using var runner = new BatchRunner<float>(net, workers);
            runner.Explain(BackwardRule.Saliency, Random<float>(3 * HeadedNet.InputSize, 1), new[] { 0, 4, 9 }, new float[3 * HeadedNet.InputSize]);
            Assert.Equal(1, runner.HeadPasses);
            runner.DenseHeads = false;
            runner.Explain(BackwardRule.Saliency, Random<float>(3 * HeadedNet.InputSize, 1), new[] { 0, 4, 9 }, new float[3 * HeadedNet.InputSize]);
            Assert.Equal(1, runner.HeadPasses);
        }

        [Fact]
        public void Networks_without_a_dense_head_and_single_examples_run_whole_single_calls()
        {
            using var lenet = new BatchRunner<float>(LeNet(), workers: 2);
            lenet.Explain(BackwardRule.Saliency, new float[3 * CaptumLeNet.InputSize], new[] { 0, 1, 2 }, new float[3 * CaptumLeNet.InputSize]);
            Assert.Equal(0, lenet.HeadPasses);

            using var one = new BatchRunner<float>(HeadedNet.FromTensors(RandomParameters.For(HeadedNet.Architecture, 4)), workers: 2);
            one.Explain(BackwardRule.Saliency, new float[HeadedNet.InputSize], new[] { 3 }, new float[HeadedNet.InputSize]);
            Assert.Equal(0, one.HeadPasses);
        }

        [Fact]
        public void A_dense_head_batch_names_the_lowest_example_with_a_non_finite_input_or_seed()
        {
            var net = HeadedNet.FromTensors(RandomParameters.For(HeadedNet.Architecture, 4));
            int inSize = HeadedNet.InputSize, outSize = HeadedNet.OutputSize, examples = 20;
            float[] inputs = Random<float>(examples * inSize, 2), seeds = Random<float>(examples * outSize, 3), results = new float[examples * inSize];
            inputs[17 * inSize + 40] = float.NaN;
            seeds[12 * outSize + 2] = float.PositiveInfinity;
            using var runner = new BatchRunner<float>(net, workers: 2);
            var e = Assert.Throws<ArgumentException>(() => runner.Explain(BackwardRule.GuidedBackprop, inputs, seeds, results));
            Assert.Equal("seeds", e.ParamName);
            Assert.StartsWith("seeds[12]: holds +infinity at [2]", e.Message, StringComparison.Ordinal);

            inputs[3 * inSize + 7] = float.NegativeInfinity;
            e = Assert.Throws<ArgumentException>(() => runner.Explain(BackwardRule.GuidedBackprop, inputs, seeds, results));
            Assert.Equal("inputs", e.ParamName);
            Assert.StartsWith("inputs[3]: holds -infinity at [0, 0, 7]", e.Message, StringComparison.Ordinal);
            Assert.Equal(3, runner.HeadPasses); // groups of 10; the examples below the failure still ran: 0-9 and 10-11, then 0-2
        }

        [Fact]
        public void A_dense_head_batch_with_overflowing_logits_fails_as_the_single_calls_do()
        {
            // No biases, so an all-zero input stays zero everywhere; a huge input (finite) overflows the logits through the last
            // dense layer's large weights, whose backward pass alone stays finite.
            Dictionary<string, Tensor> tensors = RandomParameters.For(HeadedNet.Architecture, 4);
            foreach (ParameterInfo p in HeadedNet.Architecture.Parameters.Where(p => p.Role == ParameterRole.Bias))
            {
                tensors[p.Name] = Tensor.FromDouble(new double[p.Size], p.Dimensions.ToArray());
            }
            ParameterInfo last = HeadedNet.Architecture.Parameters.Last(p => p.Role == ParameterRole.Weight);
            tensors[last.Name] = Tensor.FromDouble(Enumerable.Repeat(1e10, (int)last.Size).ToArray(), last.Dimensions.ToArray());
            var net = HeadedNet.FromTensors(tensors);
            int inSize = HeadedNet.InputSize, examples = 9;
            float[] inputs = new float[examples * inSize];
            Random<float>(inSize, 6).Select(v => v * 1e30f).ToArray().CopyTo(inputs, 6 * inSize); // examples 0-5 zero, 6 overflows, 7-8 zero
            int[] targets = Enumerable.Repeat(2, examples).ToArray();
            var headed = new float[examples * inSize];
            var whole = new float[examples * inSize];
            using var runner = new BatchRunner<float>(net, workers: 2);
            using var single = new BatchRunner<float>(net, workers: 2) { DenseHeads = false };
            // DeconvNet ignores the forward masks, so the zero examples' maps are not zero: a head signal left unwritten would show.
            var expected = Assert.Throws<NonFiniteResultException>(() => single.Explain(BackwardRule.DeconvNet, inputs, targets, whole));
            var actual = Assert.Throws<NonFiniteResultException>(() => runner.Explain(BackwardRule.DeconvNet, inputs, targets, headed));
            Assert.Equal(expected.Message, actual.Message);
            Assert.Contains("logits", actual.Message, StringComparison.Ordinal);
            Assert.Equal(1, runner.HeadPasses);
            // The examples before the failing one were explained, as their single calls explain them.
            Assert.Contains(whole.AsSpan(0, 6 * inSize).ToArray(), v => v != 0);
            AssertIdentical<float>(whole.AsSpan(0, 6 * inSize).ToArray(), headed.AsSpan(0, 6 * inSize).ToArray(), "examples 0-5 before the overflow");
        }

        [Fact]
        public void The_interpreter_batches_too()
        {
            var random = new Random(2);
            Network network = Net.Input(2, 9, 7).Conv2D(11, kernel: 3, padding: 1).ReLU().MaxPool(2).Flatten().Dense(6).ReLU().Dense(4);
            float[][] parameters = network.Parameters.Select(p => To<float>(Uniform(random, (int)p.Size, -0.5, 0.5))).ToArray();
            Check<float>(new Interpreter<float>(network, parameters), workers: 2, examples: 9);
        }

        private static void Check<T>(IExplainer<T> net, int workers, int examples) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int inSize = net.InputSize, outSize = net.OutputSize;
            T[] inputs = Random<T>(examples * inSize, seed: examples);
            int[] targets = Enumerable.Range(0, examples).Select(i => (i * 7 + 3) % outSize).ToArray();
            T[] seeds = Random<T>(examples * outSize, seed: examples + 1);

            // One example at a time on this thread: the reference.
            IWorkspace workspace = net.CreateWorkspace();
            var outputs = new T[examples * outSize];
            for (int i = 0; i < examples; i++) net.Forward(inputs.AsSpan(i * inSize, inSize), outputs.AsSpan(i * outSize, outSize), workspace);

            var batchOutputs = new T[examples * outSize];
            Relucent.Batch.Forward<T>(net, inputs, batchOutputs, workers);
            AssertIdentical<T>(outputs, batchOutputs, $"forward, {workers} workers");

            using var runner = new BatchRunner<T>(net, workers);
            foreach (BackwardRule rule in Rules.Where(r => net.Rules.Contains(r)))
            {
                var expectedTargets = new T[examples * inSize];
                var expectedSeeds = new T[examples * inSize];
                for (int i = 0; i < examples; i++)
                {
                    var oneHot = new T[outSize];
                    oneHot[targets[i]] = T.One;
                    net.Explain(rule, inputs.AsSpan(i * inSize, inSize), oneHot, expectedTargets.AsSpan(i * inSize, inSize), workspace);
                    net.Explain(rule, inputs.AsSpan(i * inSize, inSize), seeds.AsSpan(i * outSize, outSize), expectedSeeds.AsSpan(i * inSize, inSize), workspace);
                }

                var actual = new T[examples * inSize];
                Relucent.Batch.Explain<T>(net, rule, inputs, targets, actual, workers);
                AssertIdentical<T>(expectedTargets, actual, $"{rule} with targets, {workers} workers");
                Relucent.Batch.Explain<T>(net, rule, inputs, seeds, actual, workers);
                AssertIdentical<T>(expectedSeeds, actual, $"{rule} with seeds, {workers} workers");

                // The reused runner, twice, and in uneven slices.
                for (int round = 0; round < 2; round++)
                {
                    Array.Clear(actual);
                    runner.Explain(rule, inputs, targets, actual);
                    AssertIdentical<T>(expectedTargets, actual, $"{rule}, runner round {round}, {workers} workers");
                }
                Array.Clear(actual);
                for (int start = 0; start < examples; start += 5)
                {
                    int count = Math.Min(5, examples - start);
                    runner.Explain(rule, inputs.AsSpan(start * inSize, count * inSize), seeds.AsSpan(start * outSize, count * outSize), actual.AsSpan(start * inSize, count * inSize));
                }
                AssertIdentical<T>(expectedSeeds, actual, $"{rule}, runner in slices of 5, {workers} workers");
            }
        }

        [Fact]
        public void Wrong_lengths_are_rejected_naming_the_argument_and_both_counts()
        {
            CaptumLeNet net = LeNet();
            int inSize = CaptumLeNet.InputSize, outSize = CaptumLeNet.OutputSize;
            var inputs = new float[3 * inSize];
            var results = new float[3 * inSize];

            var e = Assert.Throws<ArgumentException>(() => Relucent.Batch.Forward<float>(net, new float[3 * inSize + 1], new float[3 * outSize]));
            Assert.Equal("inputs", e.ParamName);
            Assert.Contains($"{3 * inSize + 1}", e.Message);
            Assert.Contains($"{inSize}", e.Message);

            e = Assert.Throws<ArgumentException>(() => Relucent.Batch.Forward<float>(net, inputs, new float[2 * outSize]));
            Assert.Equal("outputs", e.ParamName);
            Assert.Contains($"{2 * outSize}", e.Message);
            Assert.Contains($"{3 * outSize}", e.Message);

            e = Assert.Throws<ArgumentException>(() => Relucent.Batch.Explain<float>(net, BackwardRule.Saliency, inputs, new int[2], results));
            Assert.Equal("targets", e.ParamName);
            Assert.Contains("2", e.Message);
            Assert.Contains("3", e.Message);

            e = Assert.Throws<ArgumentException>(() => Relucent.Batch.Explain<float>(net, BackwardRule.Saliency, inputs, new int[3], new float[4 * inSize]));
            Assert.Equal("results", e.ParamName);
            Assert.Contains($"{4 * inSize}", e.Message);
            Assert.Contains($"{3 * inSize}", e.Message);

            e = Assert.Throws<ArgumentException>(() => Relucent.Batch.Explain<float>(net, BackwardRule.Saliency, inputs, new float[3 * outSize - 1], results));
            Assert.Equal("seeds", e.ParamName);
            Assert.Contains($"{3 * outSize - 1}", e.Message);
            Assert.Contains($"{3 * outSize}", e.Message);

            var range = Assert.Throws<ArgumentOutOfRangeException>(() => Relucent.Batch.Explain<float>(net, BackwardRule.Saliency, inputs, new[] { 0, outSize, 1 }, results));
            Assert.Equal("targets", range.ParamName);
            Assert.Contains("targets[1]", range.Message);

            Assert.Throws<ArgumentOutOfRangeException>(() => Relucent.Batch.Forward<float>(net, inputs, new float[3 * outSize], maxDegreeOfParallelism: 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new BatchRunner<float>(net, workers: -2));
            Assert.Throws<ArgumentNullException>(() => Relucent.Batch.Forward<float>(null!, inputs, new float[3 * outSize]));

            SmoothDense64 saliencyOnly = SmoothDense64.FromTensors(RandomParameters.For(SmoothDense64.Architecture, 1));
            var noRule = Assert.Throws<ArgumentException>(() => Relucent.Batch.Explain<double>(saliencyOnly, BackwardRule.DeconvNet, new double[7], new int[1], new double[7]));
            Assert.Equal("rule", noRule.ParamName);
            Assert.Contains("Saliency", noRule.Message);

            // The runner checks the same way, before touching any output.
            using var runner = new BatchRunner<float>(net, 2);
            results.AsSpan().Fill(5);
            e = Assert.Throws<ArgumentException>(() => runner.Explain(BackwardRule.Saliency, inputs, new int[3], new float[3 * inSize - 2]));
            Assert.Equal("results", e.ParamName);
            Assert.All(results, v => Assert.Equal(5f, v));
        }

        [Fact]
        public void An_empty_batch_does_nothing()
        {
            // Empty batches call the network never, and leave a runner ready for the next batch.
            var net = new Counting(LeNet());
            Relucent.Batch.Forward<float>(net, ReadOnlySpan<float>.Empty, Span<float>.Empty);
            Relucent.Batch.Explain<float>(net, BackwardRule.Saliency, ReadOnlySpan<float>.Empty, ReadOnlySpan<int>.Empty, Span<float>.Empty);
            using var runner = new BatchRunner<float>(net, workers: 2);
            runner.Forward(ReadOnlySpan<float>.Empty, Span<float>.Empty);
            runner.Explain(BackwardRule.GuidedBackprop, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty);
            Assert.Equal(0, net.Calls);

            // An empty input with a non-empty output is still a count mismatch, not an empty batch.
            Assert.Throws<ArgumentException>(() => runner.Forward(ReadOnlySpan<float>.Empty, new float[CaptumLeNet.OutputSize]));
            Assert.Equal(0, net.Calls);

            float[] inputs = Random<float>(3 * CaptumLeNet.InputSize, seed: 6);
            var outputs = new float[3 * CaptumLeNet.OutputSize];
            runner.Forward(inputs, outputs);
            Assert.Equal(3, net.Calls);
            CaptumLeNet single = LeNet();
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(single.Forward(inputs.AsSpan(i * CaptumLeNet.InputSize, CaptumLeNet.InputSize).ToArray()), outputs.AsSpan(i * CaptumLeNet.OutputSize, CaptumLeNet.OutputSize).ToArray());
            }
        }

        [Fact]
        public void A_reused_single_worker_runner_allocates_nothing()
        {
            // One worker runs on the calling thread, so this thread's allocation counter sees everything.
            CaptumLeNet net = LeNet();
            const int Examples = 16;
            float[] inputs = Random<float>(Examples * CaptumLeNet.InputSize, 4);
            int[] targets = Enumerable.Range(0, Examples).Select(i => i % CaptumLeNet.OutputSize).ToArray();
            var results = new float[Examples * CaptumLeNet.InputSize];
            var outputs = new float[Examples * CaptumLeNet.OutputSize];
            using var runner = new BatchRunner<float>(net, workers: 1);
            runner.Explain(BackwardRule.Saliency, inputs, targets, results);
            runner.Forward(inputs, outputs);
            Assert.Equal(0, Relucent.Testing.Allocations.LeastPerWindow(() =>
            {
                runner.Explain(BackwardRule.GuidedBackprop, inputs, targets, results);
                runner.Forward(inputs, outputs);
            }, calls: 5));
        }

        [Fact]
        public void A_failing_example_surfaces_on_the_caller_and_the_runner_stays_usable()
        {
            var net = new Failing();
            using var runner = new BatchRunner<float>(net, workers: 3);
            var inputs = new float[10 * 2];
            inputs[7 * 2] = float.NaN; // example 7 throws
            var outputs = new float[10];
            var e = Assert.Throws<InvalidOperationException>(() => runner.Forward(inputs, outputs));
            Assert.Contains("example with NaN", e.Message);
            inputs[7 * 2] = 0;
            runner.Forward(inputs, outputs);
            Assert.All(outputs, v => Assert.Equal(1f, v));
        }

        [Fact]
        public void The_lowest_failing_example_is_reported_even_when_a_later_one_fails_first()
        {
            // Example 2 refuses its input slowly, example 7 at once: with several workers 7 fails first in time,
            // but the batch reports 2, the same example one worker would reach first.
            var net = new Refusing();
            var inputs = new float[12 * 2];
            inputs[2 * 2] = float.NaN;
            inputs[2 * 2 + 1] = 200; // milliseconds before refusing
            inputs[7 * 2] = float.NaN;
            var outputs = new float[12];
            foreach (int workers in new[] { 1, 2, 3 })
            {
                using var runner = new BatchRunner<float>(net, workers);
                for (int round = 0; round < 2; round++)
                {
                    var e = Assert.Throws<ArgumentException>(() => runner.Forward(inputs, outputs));
                    Assert.Equal("inputs", e.ParamName);
                    Assert.StartsWith("inputs[2]: holds NaN at [0]", e.Message, StringComparison.Ordinal);
                    var inner = Assert.IsType<ArgumentException>(e.InnerException);
                    Assert.Equal("input", inner.ParamName);
                }
            }
        }

        [Fact]
        public void Other_argument_problems_are_named_for_the_batch_and_other_exceptions_pass_unchanged()
        {
            using var runner = new BatchRunner<float>(new Refusing(), workers: 2);
            var inputs = new float[6 * 2];
            var outputs = new float[6];

            // A finite input refused for another reason: the single call's message under the batch argument's name,
            // without the inner "(Parameter 'input')".
            inputs[3 * 2] = -1;
            var e = Assert.Throws<ArgumentException>(() => runner.Forward(inputs, outputs));
            Assert.Equal("inputs", e.ParamName);
            Assert.StartsWith("inputs[3]: input is negative", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("'input'", e.Message, StringComparison.Ordinal);
            Assert.Equal("input", Assert.IsType<ArgumentException>(e.InnerException).ParamName);

            // An argument the batch does not know keeps its name, and the message still says which example.
            inputs[3 * 2] = 0;
            inputs[4 * 2] = -2;
            e = Assert.Throws<ArgumentException>(() => runner.Explain(BackwardRule.Saliency, inputs, new float[6], new float[6 * 2]));
            Assert.Equal("mode", e.ParamName);
            Assert.StartsWith("Example 4 of the batch: ", e.Message, StringComparison.Ordinal);

            // Not an argument problem: the explainer's own exception, type and all.
            using var failing = new BatchRunner<float>(new Failing(), workers: 2);
            inputs[4 * 2] = float.NaN;
            var fault = Assert.Throws<InvalidOperationException>(() => failing.Forward(inputs, outputs));
            Assert.Null(fault.InnerException);
        }

        [Fact]
        public void CheckFinite_reaches_every_worker_s_workspace()
        {
            var net = new Recording();
            using var runner = new BatchRunner<float>(net, workers: 4);
            Assert.Equal(4, net.Workspaces.Count);
            Assert.True(runner.CheckFinite, "the scan is on by default");
            Assert.All(net.Workspaces, w => Assert.True(w.CheckFinite, "a new runner's workspaces scan, whatever they start with"));
            runner.CheckFinite = false;
            Assert.False(runner.CheckFinite);
            Assert.All(net.Workspaces, w => Assert.False(w.CheckFinite));

            // Every call of a batch sees the runner's setting, whichever worker makes it.
            var inputs = new float[40 * 2];
            var outputs = new float[40];
            runner.Forward(inputs, outputs);
            Assert.All(outputs, v => Assert.Equal(0f, v));
            runner.CheckFinite = true;
            runner.Forward(inputs, outputs);
            Assert.All(outputs, v => Assert.Equal(1f, v));

            // A workspace without its own CheckFinite keeps the interface's default: reads false, ignores a set.
            using var plain = new BatchRunner<float>(new Failing(), workers: 2) { CheckFinite = false };
            plain.CheckFinite = true;
            plain.Forward(new float[4], new float[2]);
        }

        /// <summary>A two-input network that refuses NaN (after waiting input[1] ms) and negative values like a generated one would.</summary>
        private sealed class Refusing : IExplainer<float>
        {
            public Network Architecture => Net.Input(2).Dense(1);
            public int InputSize => 2;
            public int OutputSize => 1;
            public IReadOnlyList<BackwardRule> Rules => new[] { BackwardRule.Saliency };
            public IWorkspace CreateWorkspace() => new Workspace();

            public void Forward(ReadOnlySpan<float> input, Span<float> output, IWorkspace workspace)
            {
                if (float.IsNaN(input[0]))
                {
                    if (input[1] > 0) Thread.Sleep((int)input[1]);
                    throw new ArgumentException("input holds NaN at index 0; expected finite values.", "input");
                }
                if (input[0] < 0) throw new ArgumentException("input is negative", "input");
                output[0] = input[0] + input[1];
            }

            public void Explain(BackwardRule rule, ReadOnlySpan<float> input, ReadOnlySpan<float> seed, Span<float> result, IWorkspace workspace)
            {
                if (input[0] < -1) throw new ArgumentException("mode -2 is not supported", "mode");
                result.Fill(seed[0]);
            }

            private sealed class Workspace : IWorkspace
            {
            }
        }

        /// <summary>A network whose workspaces have their own <c>CheckFinite</c> (false to start with) and whose output is it, as 0 or 1.</summary>
        private sealed class Recording : IExplainer<float>
        {
            public List<Workspace> Workspaces { get; } = new();
            public Network Architecture => Net.Input(2).Dense(1);
            public int InputSize => 2;
            public int OutputSize => 1;
            public IReadOnlyList<BackwardRule> Rules => new[] { BackwardRule.Saliency };

            public IWorkspace CreateWorkspace()
            {
                var workspace = new Workspace();
                Workspaces.Add(workspace);
                return workspace;
            }

            public void Forward(ReadOnlySpan<float> input, Span<float> output, IWorkspace workspace) =>
                output[0] = workspace.CheckFinite ? 1 : 0;

            public void Explain(BackwardRule rule, ReadOnlySpan<float> input, ReadOnlySpan<float> seed, Span<float> result, IWorkspace workspace) =>
                result.Clear();

            public sealed class Workspace : IWorkspace
            {
                public bool CheckFinite { get; set; }
            }
        }

        /// <summary>Another network's calls, counted.</summary>
        private sealed class Counting(IExplainer<float> inner) : IExplainer<float>
        {
            private int _calls;
            public int Calls => Volatile.Read(ref _calls);
            public Network Architecture => inner.Architecture;
            public int InputSize => inner.InputSize;
            public int OutputSize => inner.OutputSize;
            public IReadOnlyList<BackwardRule> Rules => inner.Rules;
            public IWorkspace CreateWorkspace() => inner.CreateWorkspace();

            public void Forward(ReadOnlySpan<float> input, Span<float> output, IWorkspace workspace)
            {
                Interlocked.Increment(ref _calls);
                inner.Forward(input, output, workspace);
            }

            public void Explain(BackwardRule rule, ReadOnlySpan<float> input, ReadOnlySpan<float> seed, Span<float> result, IWorkspace workspace)
            {
                Interlocked.Increment(ref _calls);
                inner.Explain(rule, input, seed, result, workspace);
            }
        }

        /// <summary>A two-input network that sums its input plus one, and throws on NaN.</summary>
        private sealed class Failing : IExplainer<float>
        {
            public Network Architecture => Net.Input(2).Dense(1);
            public int InputSize => 2;
            public int OutputSize => 1;
            public IReadOnlyList<BackwardRule> Rules => new[] { BackwardRule.Saliency };
            public IWorkspace CreateWorkspace() => new Workspace();

            public void Forward(ReadOnlySpan<float> input, Span<float> output, IWorkspace workspace)
            {
                if (float.IsNaN(input[0])) throw new InvalidOperationException("example with NaN");
                output[0] = input[0] + input[1] + 1;
            }

            public void Explain(BackwardRule rule, ReadOnlySpan<float> input, ReadOnlySpan<float> seed, Span<float> result, IWorkspace workspace) =>
                result.Fill(seed[0]);

            private sealed class Workspace : IWorkspace
            {
            }
        }
    }
}
