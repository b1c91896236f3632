using System.Collections.Concurrent;
using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// One loaded network is shared by many threads: it is immutable after loading and explaining only reads its
    /// parameters; each caller owns its workspace (the array overloads make a fresh one per call).
    /// </summary>
    public class ThreadSafetyTests
    {
        private const int Threads = 4;
        private const int CallsPerThread = 1000;

        [Fact]
        public void One_network_explains_from_four_threads_bit_identically_to_serial_calls()
        {
            CaptumLeNet net = LeNet();
            float[][] inputs = Inputs(48, CaptumLeNet.InputSize, seed: 9001);
            float[][] parametersBefore = Parameters(net);

            // The serial reference: every (input, rule, target) on this thread, through the span overloads, one workspace.
            var expected = new float[inputs.Length][][][];
            var serial = new CaptumLeNet.Workspace();
            for (int n = 0; n < inputs.Length; n++)
            {
                expected[n] = new float[Rules.Length][][];
                for (int r = 0; r < Rules.Length; r++)
                {
                    expected[n][r] = new float[CaptumLeNet.OutputSize][];
                    for (int target = 0; target < CaptumLeNet.OutputSize; target++)
                    {
                        expected[n][r][target] = new float[CaptumLeNet.InputSize];
                        SpanOverload(net, Rules[r], inputs[n], target, expected[n][r][target], serial);
                    }
                }
            }

            var failures = new ConcurrentQueue<string>();
            int[] calls = new int[Threads];
            using var start = new Barrier(Threads);
            Thread[] threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                try
                {
                    var random = new Random(100 + t);
                    var workspace = new CaptumLeNet.Workspace(); // one per thread, reused by all its span calls
                    IExplainer<float> explainer = net;
                    IWorkspace explainerWorkspace = explainer.CreateWorkspace();
                    var result = new float[CaptumLeNet.InputSize];
                    start.SignalAndWait(); // all four start together, so the calls really overlap
                    for (int c = 0; c < CallsPerThread; c++)
                    {
                        int n = random.Next(inputs.Length), r = random.Next(Rules.Length), target = random.Next(CaptumLeNet.OutputSize);
                        float[] map;
                        string how;
                        switch (c % 3)
                        {
                            case 0:
                                how = "array overload";
                                map = ArrayOverload(net, Rules[r], inputs[n], target);
                                break;
                            case 1:
                                how = "span overload";
                                SpanOverload(net, Rules[r], inputs[n], target, result, workspace);
                                map = result;
                                break;
                            default:
                                how = "IExplainer.Explain";
                                explainer.Explain(Rules[r], inputs[n], OneHot(target, CaptumLeNet.OutputSize), result, explainerWorkspace);
                                map = result;
                                break;
                        }

                        if (!BitEqual<float>(map, expected[n][r][target]))
                        {
                            failures.Enqueue($"thread {t}, call {c} ({how}, {Rules[r]}, input {n}, target {target}) differs from the serial call");
                        }

                        calls[t]++;
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue($"thread {t}: {e}");
                }
            })).ToArray();
            foreach (Thread thread in threads) thread.Start();
            foreach (Thread thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a thread did not finish within 60 s");

            Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
            Assert.All(calls, n => Assert.Equal(CallsPerThread, n));
            float[][] parametersAfter = Parameters(net);
            for (int i = 0; i < parametersBefore.Length; i++)
            {
                Assert.True(BitEqual<float>(parametersBefore[i], parametersAfter[i]), $"parameter {i} changed while explaining");
            }
        }

        [Fact]
        public void Batch_runners_on_several_threads_share_one_network_bit_identically()
        {
            CaptumLeNet net = LeNet();
            const int Examples = 200;
            float[] inputs = Inputs(Examples, CaptumLeNet.InputSize, seed: 77).SelectMany(x => x).ToArray();
            int[] targets = Enumerable.Range(0, Examples).Select(i => i % CaptumLeNet.OutputSize).ToArray();
            var expected = new float[Examples * CaptumLeNet.InputSize];
            Batch.Explain<float>(net, BackwardRule.GuidedBackprop, inputs, targets, expected, maxDegreeOfParallelism: 1);

            var results = new float[Threads][];
            var errors = new ConcurrentQueue<Exception>();
            Thread[] threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                try
                {
                    results[t] = new float[expected.Length];
                    using var runner = new BatchRunner<float>(net, workers: 2);
                    for (int repeat = 0; repeat < 3; repeat++) runner.Explain(BackwardRule.GuidedBackprop, inputs, targets, results[t]);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            })).ToArray();
            foreach (Thread thread in threads) thread.Start();
            foreach (Thread thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a thread did not finish within 60 s");

            Assert.Empty(errors);
            for (int t = 0; t < Threads; t++) Assert.True(BitEqual<float>(expected, results[t]), $"runner on thread {t} differs from the serial batch");
        }

        /// <summary>The network's parameters as the public MathNet properties hold them.</summary>
        private static float[][] Parameters(CaptumLeNet net) =>
        [
            net.Layer0Weight.ToColumnMajorArray(), net.Layer0Bias.ToArray(),
            net.Layer3Weight.ToColumnMajorArray(), net.Layer3Bias.ToArray(),
            net.Layer7Weight.ToColumnMajorArray(), net.Layer7Bias.ToArray(),
            net.Layer9Weight.ToColumnMajorArray(), net.Layer9Bias.ToArray(),
        ];

        private static float[] ArrayOverload(CaptumLeNet net, BackwardRule rule, float[] input, int target) => rule switch
        {
            BackwardRule.Saliency => net.Saliency(input, target),
            BackwardRule.DeconvNet => net.DeconvNet(input, target),
            _ => net.GuidedBackprop(input, target),
        };

        private static void SpanOverload(CaptumLeNet net, BackwardRule rule, float[] input, int target, float[] result, CaptumLeNet.Workspace workspace)
        {
            switch (rule)
            {
                case BackwardRule.Saliency: net.Saliency(input, target, result, workspace); break;
                case BackwardRule.DeconvNet: net.DeconvNet(input, target, result, workspace); break;
                default: net.GuidedBackprop(input, target, result, workspace); break;
            }
        }
    }
}
