using System.Runtime.InteropServices;
using Relucent.Tests.Generated;

namespace Relucent.Tests.Reliability
{
    /// <summary>Networks, inputs and bit-exact comparisons shared by the reliability tests.</summary>
    internal static class ReliabilityData
    {
        public static readonly BackwardRule[] Rules = [BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop];

        /// <summary>The Captum LeNet with its fixture weights (float32).</summary>
        public static CaptumLeNet LeNet() => CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));

        /// <summary>The Captum MLP with its fixture weights (float32).</summary>
        public static CaptumMlp Mlp() => CaptumMlp.Load(Fixture.Path("mlp.weights.safetensors"));

        /// <summary><paramref name="count"/> seeded inputs of <paramref name="size"/> values in [-2, 2).</summary>
        public static float[][] Inputs(int count, int size, int seed)
        {
            var random = new Random(seed);
            var inputs = new float[count][];
            for (int n = 0; n < count; n++)
            {
                inputs[n] = new float[size];
                for (int i = 0; i < size; i++) inputs[n][i] = (float)(random.NextDouble() * 4 - 2);
            }

            return inputs;
        }

        /// <summary>Whether two maps are equal bit for bit (so +0 ≠ −0 and NaN payloads count).</summary>
        public static bool BitEqual<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged =>
            MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));

        /// <summary>One-hot seed for <paramref name="target"/>.</summary>
        public static float[] OneHot(int target, int classes)
        {
            var seed = new float[classes];
            seed[target] = 1;
            return seed;
        }
    }
}
