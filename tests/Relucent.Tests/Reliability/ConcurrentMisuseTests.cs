using System.Collections.Concurrent;
using System.Globalization;
using Relucent.Attribution;
using Relucent.Testing;
using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// Objects that serve one call at a time (a <see cref="BatchRunner{T}"/>, an attribution method) refuse a second,
    /// overlapping call with <see cref="InvalidOperationException"/> naming the object, instead of aborting the process
    /// or silently mixing two calls' buffers into wrong maps; an absurd worker count is refused by name. Overlap is made
    /// certain by an explainer that holds the first call until the second has been tried; the stress tests run in a
    /// child process, where an abort on a worker thread fails the test.
    /// </summary>
    public class ConcurrentMisuseTests
    {
        [Fact]
        public void SingleCaller_refuses_a_second_call_until_the_first_ends()
        {
            var guard = new SingleCaller("Thing");
            using (guard.Enter())
            {
                Assert.True(guard.IsBusy);
                var e = Assert.Throws<InvalidOperationException>(() => guard.Enter());
                Assert.Contains("Thing is already in use by another call", e.Message);
                Assert.Contains("give each thread its own Thing", e.Message);
            }

            Assert.False(guard.IsBusy);
            using (guard.Enter())
            {
            }
        }

        [Fact]
        public void A_batch_runner_used_by_a_second_thread_during_a_batch_refuses_it_by_name()
        {
            var held = new HeldExplainer(Mlp());
            using var runner = new BatchRunner<float>(held, workers: 1);
            float[] inputs = Inputs(1, CaptumMlp.InputSize, 3)[0];
            var outputs = new float[CaptumMlp.OutputSize];
            Worker first = Background(() => runner.Forward(inputs, outputs));
            held.WaitUntilHeld();
            var e = Assert.Throws<InvalidOperationException>(() => runner.Forward(inputs, new float[CaptumMlp.OutputSize]));
            Assert.Contains("BatchRunner is already in use", e.Message);
            Assert.Throws<InvalidOperationException>(() => runner.Dispose());
            held.Release();
            first.Join();
            Assert.Equal(Mlp().Forward(inputs), outputs);
            runner.Forward(inputs, outputs); // free again
        }

        public static TheoryData<string> Methods() => new() { "RuleMap", "GradientTimesInput", "IntegratedGradients", "Completeness", "SmoothGrad", "VarGrad" };

        [Theory]
        [MemberData(nameof(Methods))]
        public void An_attribution_method_used_by_a_second_thread_during_a_call_refuses_it_by_name(string method)
        {
            var held = new HeldExplainer(Mlp());
            (IAttribution<float> attribution, Action<float[], float[]> call, string name) = Make(method, held);
            float[] input = Inputs(1, CaptumMlp.InputSize, 5)[0];
            var first = new float[CaptumMlp.InputSize];
            Worker running = Background(() => call(input, first));
            held.WaitUntilHeld();
            var e = Assert.Throws<InvalidOperationException>(() => call(input, new float[CaptumMlp.InputSize]));
            Assert.Contains($"{name} is already in use by another call", e.Message);
            held.Release();
            running.Join();

            // The refused call changed nothing: the first call's map is the serial one.
            held.HoldNext = false;
            var serial = new float[CaptumMlp.InputSize];
            call(input, serial);
            Assert.True(BitEqual<float>(serial, first));
            Assert.Same(held, attribution.Explainer);
        }

        /// <summary>Runs <paramref name="work"/> on a thread of its own; <see cref="Worker.Join"/> rethrows its failure.</summary>
        private static Worker Background(Action work) => new(work);

        private sealed class Worker
        {
            private readonly Thread _thread;
            private Exception? _failure;

            public Worker(Action work)
            {
                _thread = new Thread(() =>
                {
                    try
                    {
                        work();
                    }
                    catch (Exception e)
                    {
                        _failure = e;
                    }
                });
                _thread.Start();
            }

            public void Join()
            {
                _thread.Join();
                if (_failure != null) throw new InvalidOperationException("the first call failed", _failure);
            }
        }

        private static (IAttribution<float>, Action<float[], float[]>, string) Make(string method, IExplainer<float> net)
        {
            var target = Target.Class(2);
            switch (method)
            {
                case "RuleMap":
                {
                    var m = new RuleMap<float>(net);
                    return (m, (x, r) => m.Attribute(x, target, r), "RuleMap<float>");
                }

                case "GradientTimesInput":
                {
                    var m = new GradientTimesInput<float>(net);
                    return (m, (x, r) => m.Attribute(x, target, r), "GradientTimesInput<float>");
                }

                case "IntegratedGradients":
                {
                    var m = new IntegratedGradients<float>(net) { Steps = 4 };
                    return (m, (x, r) => m.Attribute(x, target, r), "IntegratedGradients<float>");
                }

                case "Completeness":
                {
                    var m = new IntegratedGradients<float>(net) { Steps = 4 };
                    return (m, (x, r) => m.AttributeWithCompleteness(x, target, r), "IntegratedGradients<float>");
                }

                case "SmoothGrad":
                {
                    var m = new SmoothGrad<float>(net) { Samples = 3 };
                    return (m, (x, r) => m.Attribute(x, target, r), "SmoothGrad<float>");
                }

                default:
                {
                    var m = new VarGrad<float>(net) { Samples = 3 };
                    return (m, (x, r) => m.Attribute(x, target, r), "VarGrad<float>");
                }
            }
        }

        [Fact]
        public void An_absurd_worker_count_is_refused_by_name_not_a_crash()
        {
            // new BatchRunner(net, 30000) died with PAL_SEHException.
            Isolated.Outcome outcome = Isolated.Run(MakeRunner, "30000");
            Assert.True(outcome.ExceptionType == typeof(ArgumentOutOfRangeException).FullName, outcome.ToString());
            Assert.Contains($"Use 1 to {BatchRunner<float>.MaxWorkers} workers", outcome.Message);
            Assert.Equal(BatchRunner<float>.MaxWorkers.ToString(CultureInfo.InvariantCulture), Isolated.Completes(MakeRunner, BatchRunner<float>.MaxWorkers.ToString(CultureInfo.InvariantCulture)));
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Batch.Forward<float>(Mlp(), new float[8], new float[4], maxDegreeOfParallelism: 1 << 20));
            Assert.Equal("maxDegreeOfParallelism", e.ParamName);
        }

        /// <summary>Makes a runner of <c>args[0]</c> workers for the MLP and runs a batch: the worker count.</summary>
        public static string MakeRunner(string[] args)
        {
            using var runner = new BatchRunner<float>(Mlp(), int.Parse(args[0], CultureInfo.InvariantCulture));
            runner.Forward(new float[8 * 3], new float[4 * 3]);
            return runner.Workers.ToString(CultureInfo.InvariantCulture);
        }

        [Fact]
        public void Two_threads_hammering_one_batch_runner_get_right_results_or_a_refusal_never_an_abort()
        {
            // Before: "Invalid attempt made to decrement the event's count below zero" on a worker thread, 7 runs of 7.
            string result = Isolated.Completes(HammerRunner);
            string[] counts = result.Split(' ');
            Assert.True(int.Parse(counts[0], CultureInfo.InvariantCulture) > 0, result);
        }

        /// <summary>Two threads share one runner for 2,000 batches each: returns "completed refused", or throws on a wrong result.</summary>
        public static string HammerRunner(string[] args)
        {
            CaptumMlp net = Mlp();
            float[] inputs = Inputs(16, CaptumMlp.InputSize, 11).SelectMany(x => x).ToArray();
            var expected = new float[16 * CaptumMlp.OutputSize];
            Batch.Forward<float>(net, inputs, expected, 1);
            using var runner = new BatchRunner<float>(net, 2);
            (int completed, int refused, List<string> wrong) = Share(2_000, () => new float[expected.Length], (outputs, _) =>
            {
                runner.Forward(inputs, outputs);
                return BitEqual<float>(outputs, expected);
            });
            if (wrong.Count > 0) throw new InvalidOperationException($"{wrong.Count} wrong batches: {string.Join(", ", wrong.Take(5))}");
            return $"{completed} {refused}";
        }

        [Fact]
        public void Two_threads_sharing_one_integrated_gradients_get_right_maps_or_a_refusal_never_a_wrong_map()
        {
            // Before: 858 of 1,580 maps wrong, no exception.
            CaptumMlp net = Mlp();
            float[][] inputs = Inputs(8, CaptumMlp.InputSize, 21);
            var serial = new IntegratedGradients<float>(net) { Steps = 8 };
            float[][] expected = inputs.Select(x => serial.Attribute(x, Target.Class(1))).ToArray();
            var shared = new IntegratedGradients<float>(net) { Steps = 8 };
            (int completed, int refused, List<string> wrong) = Share(800, () => new float[CaptumMlp.InputSize], (map, call) =>
            {
                shared.Attribute(inputs[call % inputs.Length], Target.Class(1), map);
                return BitEqual<float>(map, expected[call % inputs.Length]);
            });
            Assert.True(wrong.Count == 0, $"{wrong.Count} wrong maps: {string.Join(", ", wrong.Take(5))}");
            Assert.Equal(1_600, completed + refused);
            Assert.True(completed > 0);
        }

        /// <summary>
        /// Two threads, started together, each make <paramref name="calls"/> calls of <paramref name="call"/> (with a buffer
        /// of its own, and the call's number) on one shared object: counts the calls that completed and those refused with
        /// <see cref="InvalidOperationException"/>, and lists those whose result was wrong.
        /// </summary>
        private static (int Completed, int Refused, List<string> Wrong) Share(int calls, Func<float[]> buffer, Func<float[], int, bool> call)
        {
            int completed = 0, refused = 0;
            var wrong = new ConcurrentQueue<string>();
            using var start = new Barrier(2);
            Thread[] threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
            {
                float[] own = buffer();
                start.SignalAndWait();
                for (int i = 0; i < calls; i++)
                {
                    try
                    {
                        if (!call(own, i + t)) wrong.Enqueue($"thread {t}, call {i}");
                        Interlocked.Increment(ref completed);
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            })).ToArray();
            foreach (Thread thread in threads) thread.Start();
            foreach (Thread thread in threads) thread.Join();
            return (completed, refused, wrong.ToList());
        }

        /// <summary>
        /// An explainer that holds its next call (Forward or Explain) until released, so a test can make a second call
        /// while the first is certainly inside: overlap without timing.
        /// </summary>
        private sealed class HeldExplainer(IExplainer<float> inner) : IExplainer<float>
        {
            private readonly ManualResetEventSlim _held = new(false);
            private readonly ManualResetEventSlim _release = new(false);
            private int _holding;

            public bool HoldNext { get; set; } = true;

            public Network Architecture => inner.Architecture;

            public int InputSize => inner.InputSize;

            public int OutputSize => inner.OutputSize;

            public IReadOnlyList<BackwardRule> Rules => inner.Rules;

            public IWorkspace CreateWorkspace() => inner.CreateWorkspace();

            public void WaitUntilHeld() => Assert.True(_held.Wait(TimeSpan.FromSeconds(60)), "the first call never arrived");

            public void Release() => _release.Set();

            public void Forward(ReadOnlySpan<float> input, Span<float> output, IWorkspace workspace)
            {
                Hold();
                inner.Forward(input, output, workspace);
            }

            public void Explain(BackwardRule rule, ReadOnlySpan<float> input, ReadOnlySpan<float> seed, Span<float> result, IWorkspace workspace)
            {
                Hold();
                inner.Explain(rule, input, seed, result, workspace);
            }

            private void Hold()
            {
                if (!HoldNext || Interlocked.Exchange(ref _holding, 1) != 0) return;
                _held.Set();
                Assert.True(_release.Wait(TimeSpan.FromSeconds(60)), "never released");
            }
        }
    }
}
