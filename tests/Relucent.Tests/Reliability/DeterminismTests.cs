using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using Relucent.Attribution;
using Relucent.Kernels;
using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// The same input gives the same map, bit for bit: across repeated calls, workspaces and network instances in one
    /// process, across batch sizes and worker counts, across processes (a recorded SHA-256), and, for the randomised
    /// methods, for the same seed.
    /// </summary>
    /// <remarks>
    /// The kernels are deterministic by construction: every sum is a fixed sequence of operations in a fixed order
    /// (no atomics, no work-stealing reductions, no data-dependent blocking), and a batch computes each example by the
    /// same single-example call. What can change the bits is the SIMD path: a wider register splits a dot product into
    /// more partial sums, so AVX-512, AVX2 and 128-bit code legitimately round differently. The path is fixed per
    /// machine (the hardware's widest), so results are reproducible on one machine kind, not across kinds.
    /// </remarks>
    public class DeterminismTests
    {
        [Fact]
        public void Repeated_calls_in_one_process_are_bit_identical()
        {
            CaptumLeNet net = LeNet();
            CaptumLeNet reloaded = LeNet(); // a second instance from the same file
            float[][] inputs = Inputs(6, CaptumLeNet.InputSize, seed: 5);
            var workspace = new CaptumLeNet.Workspace();
            var map = new float[CaptumLeNet.InputSize];
            foreach (BackwardRule rule in Rules)
            {
                for (int target = 0; target < CaptumLeNet.OutputSize; target++)
                {
                    float[] first = Explain(net, rule, inputs[0], target);
                    for (int repeat = 0; repeat < 20; repeat++)
                    {
                        // Other inputs in between leave other values in the reused workspace; they must not leak.
                        Explain(net, rule, inputs[1 + repeat % 5], (target + 1) % CaptumLeNet.OutputSize, workspace, map);
                        Explain(net, rule, inputs[0], target, workspace, map);
                        Assert.True(BitEqual<float>(first, map), $"{rule}, target {target}: repeat {repeat} with a reused workspace differs");
                    }

                    Assert.True(BitEqual<float>(first, Explain(reloaded, rule, inputs[0], target)), $"{rule}, target {target}: a reloaded network differs");
                }
            }
        }

        public static TheoryData<int> WorkerCounts() => new() { 1, 2, 3, 4, -1 };

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void Batch_maps_do_not_depend_on_batch_size_or_worker_count(int workers)
        {
            CaptumLeNet net = LeNet();
            IExplainer<float> explainer = net;
            const int Examples = 37;
            int size = CaptumLeNet.InputSize;
            float[] inputs = Inputs(Examples, size, seed: 11).SelectMany(x => x).ToArray();
            int[] targets = Enumerable.Range(0, Examples).Select(i => (i * 3) % CaptumLeNet.OutputSize).ToArray();

            foreach (BackwardRule rule in Rules)
            {
                // The reference: one example at a time through IExplainer, on this thread.
                var expected = new float[Examples * size];
                IWorkspace workspace = explainer.CreateWorkspace();
                for (int i = 0; i < Examples; i++)
                {
                    explainer.Explain(rule, inputs.AsSpan(i * size, size), OneHot(targets[i], CaptumLeNet.OutputSize), expected.AsSpan(i * size, size), workspace);
                }

                foreach (int chunk in new[] { Examples, 1, 5, 16 })
                {
                    var actual = new float[Examples * size];
                    using var runner = new BatchRunner<float>(net, workers);
                    for (int start = 0; start < Examples; start += chunk)
                    {
                        int count = Math.Min(chunk, Examples - start);
                        if (chunk == Examples)
                        {
                            Batch.Explain<float>(net, rule, inputs, targets, actual, workers); // the one-call static form
                        }
                        else
                        {
                            runner.Explain(rule, inputs.AsSpan(start * size, count * size), targets.AsSpan(start, count), actual.AsSpan(start * size, count * size));
                        }
                    }

                    Assert.True(BitEqual<float>(expected, actual), $"{rule}: batches of {chunk} on {workers} workers differ from one-at-a-time calls");
                }
            }

            // Forward too.
            var outputs = new float[Examples * CaptumLeNet.OutputSize];
            Batch.Forward<float>(net, inputs, outputs, workers);
            for (int i = 0; i < Examples; i++)
            {
                Assert.True(BitEqual<float>(net.Forward(inputs.AsSpan(i * size, size).ToArray()), outputs.AsSpan(i * CaptumLeNet.OutputSize, CaptumLeNet.OutputSize)));
            }
        }

        /// <summary>
        /// SHA-256 of the maps (and logits) of fixed inputs, recorded once per SIMD path on an x64 AVX-512 machine and
        /// hard-coded here, so another process, another build, or another x64 machine that has the same path
        /// reproduces them bit for bit. Only the pure-arithmetic networks (Dense, Conv2D, MaxPool, ReLU) are hashed:
        /// exp and tanh come from the platform's math library and may differ by an ulp between operating systems.
        /// </summary>
        /// <remarks>
        /// The hashes differ between the paths (wider registers split the sums differently); a machine checks every
        /// path its hardware has, selected per thread by <see cref="SimdWidth.s_limit"/>. The scalar path (width 1)
        /// multiplies and adds separately, never fused, so its hash is the same on every machine and is checked on
        /// every machine. The vector paths fuse multiply-adds where the hardware has FMA: their recorded values hold
        /// for x64 with FMA only (arm64's 128-bit path tiles differently), so elsewhere only the scalar hash and the
        /// agreement of two computations in this process are checked. If a kernel change alters the bits on purpose,
        /// re-record the values from this test's failure message.
        /// </remarks>
        [Fact]
        public void Maps_match_the_SHA256_recorded_for_each_SIMD_path()
        {
            var recorded = new Dictionary<int, string>
            {
                [512] = "B0580B5DA3018201B3A882021096AB102C78046765929C83406865AEE97F4BB7",
                [256] = "0F325B03BC80CB9543B4BDF972377CCEE0CC9AB255EB08E55E7390839DCD3E6D",
                [128] = "CA49520299AEC30F5638ABB3E6EADBB156FE6C28D26829748C2F7F9731455220",
                [1] = "CA51F819B1589765D2839D7058761DD7EBF9ADF0DC4A545FC71A38EF4C1815EA",
            };
            bool vectorsRecordedHere = RuntimeInformation.ProcessArchitecture == Architecture.X64 && Fma.IsSupported;
            var available = new List<int> { 1, 128 };
            if (Vector256.IsHardwareAccelerated && Fma.IsSupported) available.Add(256);
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) available.Add(512);

            var actual = new Dictionary<int, string>();
            int saved = SimdWidth.s_limit;
            try
            {
                foreach (int width in available)
                {
                    SimdWidth.s_limit = width;
                    string hash = HashOfMaps();
                    Assert.Equal(hash, HashOfMaps()); // and within the process, always
                    actual[width] = hash;
                }
            }
            finally
            {
                SimdWidth.s_limit = saved;
            }

            string all = string.Join(", ", actual.Select(kv => $"[{kv.Key}] = \"{kv.Value}\""));
            foreach ((int width, string hash) in actual)
            {
                if (width != 1 && !vectorsRecordedHere) continue;
                string path = width == 1 ? "the scalar path" : $"the {width}-bit path";
                Assert.True(recorded[width] == hash, $"{path} hashes to {hash}, recorded {recorded[width]} (this machine: {all})");
            }
        }

        [Fact]
        public void Seeded_noise_methods_repeat_exactly_for_the_same_seed()
        {
            CaptumLeNet net = LeNet();
            float[] x = Inputs(1, CaptumLeNet.InputSize, seed: 3)[0];
            foreach (BackwardRule rule in Rules)
            {
                foreach (Func<int, float[]> method in new Func<int, float[]>[]
                {
                    seed => net.SmoothGrad<float>(x, 2, samples: 20, seed: seed, rule: rule),
                    seed => net.SquareGrad<float>(x, 2, samples: 20, seed: seed, rule: rule),
                    seed => net.VarGrad<float>(x, 2, samples: 20, seed: seed, rule: rule),
                })
                {
                    float[] first = method(7);
                    Assert.True(BitEqual<float>(first, method(7)), $"{rule}: seed 7 twice differs");
                    Assert.False(BitEqual<float>(first, method(8)), $"{rule}: seeds 7 and 8 agree: the noise is not used");
                }
            }

            // One method object called repeatedly (its buffers reused) starts afresh from its seed each call, also on another thread.
            var smooth = new SmoothGrad<float>(net) { Samples = 20, Seed = 42 };
            float[] once = smooth.Attribute(x, 1);
            Assert.True(BitEqual<float>(once, smooth.Attribute(x, 1)));
            float[] elsewhere = [];
            var thread = new Thread(() => elsewhere = new SmoothGrad<float>(net) { Samples = 20, Seed = 42 }.Attribute(x, 1));
            thread.Start();
            thread.Join();
            Assert.True(BitEqual<float>(once, elsewhere));

            float[] integrated = net.IntegratedGradients<float>(x, 4, steps: 16);
            Assert.True(BitEqual<float>(integrated, net.IntegratedGradients<float>(x, 4, steps: 16)));
        }

        /// <summary>SHA-256 over the logits and every map of 8 fixed inputs per network, all rules and targets, for the fixture LeNet and MLP.</summary>
        private static string HashOfMaps()
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            CaptumLeNet lenet = LeNet();
            foreach (float[] x in Inputs(8, CaptumLeNet.InputSize, seed: 2024))
            {
                sha.AppendData(MemoryMarshal.AsBytes<float>(lenet.Forward(x)));
                foreach (BackwardRule rule in Rules)
                {
                    for (int target = 0; target < CaptumLeNet.OutputSize; target++) sha.AppendData(MemoryMarshal.AsBytes<float>(Explain(lenet, rule, x, target)));
                }
            }

            CaptumMlp mlp = Mlp();
            foreach (float[] x in Inputs(8, CaptumMlp.InputSize, seed: 2025))
            {
                sha.AppendData(MemoryMarshal.AsBytes<float>(mlp.Forward(x)));
                for (int target = 0; target < CaptumMlp.OutputSize; target++)
                {
                    sha.AppendData(MemoryMarshal.AsBytes<float>(mlp.Saliency(x, target)));
                    sha.AppendData(MemoryMarshal.AsBytes<float>(mlp.DeconvNet(x, target)));
                    sha.AppendData(MemoryMarshal.AsBytes<float>(mlp.GuidedBackprop(x, target)));
                }
            }

            return Convert.ToHexString(sha.GetHashAndReset());
        }

        private static float[] Explain(CaptumLeNet net, BackwardRule rule, float[] input, int target) => rule switch
        {
            BackwardRule.Saliency => net.Saliency(input, target),
            BackwardRule.DeconvNet => net.DeconvNet(input, target),
            _ => net.GuidedBackprop(input, target),
        };

        private static void Explain(CaptumLeNet net, BackwardRule rule, float[] input, int target, CaptumLeNet.Workspace workspace, float[] result)
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
