using System.Numerics;

namespace Relucent.Training
{
    /// <summary>
    /// Softmax cross-entropy on logits, as PyTorch's <c>nn.CrossEntropyLoss</c> for one example:
    /// <c>loss = log Σⱼ e^zⱼ − z_label</c>, and its gradient at the logits <c>softmax(z) − onehot(label)</c>.
    /// </summary>
    /// <remarks>
    /// Numerically stable: the largest logit is subtracted before exponentiating (log-sum-exp), and everything is
    /// computed in float64 whatever the network's precision, so large logits neither overflow nor lose the loss.
    /// The gradient is the seed <see cref="ITrainable{T}.AccumulateGradients"/> takes to give ∂loss/∂parameters.
    /// </remarks>
    public static class CrossEntropy
    {
        /// <summary>The loss <c>log Σⱼ e^zⱼ − z_label</c> of one example.</summary>
        public static double Loss<T>(ReadOnlySpan<T> logits, int label) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check(logits, label);
            (double max, double sum) = MaxAndSum(logits);
            return max + Math.Log(sum) - double.CreateTruncating(logits[label]);
        }

        /// <summary>
        /// The loss of one example, and <c>scale · (softmax(z) − onehot(label))</c>, its gradient at the logits times
        /// <paramref name="scale"/>, into <paramref name="gradient"/>. Pass <c>scale = 1/B</c> for the mean over a batch of B
        /// (PyTorch's default <c>reduction="mean"</c>).
        /// </summary>
        public static double LossAndGradient<T>(ReadOnlySpan<T> logits, int label, Span<T> gradient, double scale = 1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check(logits, label);
            Guard.Length<T>(gradient, logits.Length, nameof(gradient), $"[{logits.Length}]");
            (double max, double sum) = MaxAndSum(logits);
            for (int j = 0; j < logits.Length; j++)
            {
                double p = Math.Exp(double.CreateTruncating(logits[j]) - max) / sum;
                gradient[j] = T.CreateTruncating(scale * (j == label ? p - 1 : p));
            }

            return max + Math.Log(sum) - double.CreateTruncating(logits[label]);
        }

        /// <summary>The softmax probabilities of <paramref name="logits"/>, into <paramref name="probabilities"/> (stable).</summary>
        public static void Softmax<T>(ReadOnlySpan<T> logits, Span<T> probabilities) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (logits.IsEmpty) throw new ArgumentException("The logits are empty.", nameof(logits));
            Guard.Length<T>(probabilities, logits.Length, nameof(probabilities), $"[{logits.Length}]");
            (double max, double sum) = MaxAndSum(logits);
            for (int j = 0; j < logits.Length; j++) probabilities[j] = T.CreateTruncating(Math.Exp(double.CreateTruncating(logits[j]) - max) / sum);
        }

        /// <summary>The index of the largest logit (the first among ties; NaN never wins): the predicted class.</summary>
        public static int ArgMax<T>(ReadOnlySpan<T> logits) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (logits.IsEmpty) throw new ArgumentException("The logits are empty.", nameof(logits));
            int best = 0;
            for (int j = 1; j < logits.Length; j++)
            {
                if (logits[j] > logits[best] || T.IsNaN(logits[best])) best = j;
            }

            return best;
        }

        private static (double Max, double Sum) MaxAndSum<T>(ReadOnlySpan<T> logits) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double max = double.NegativeInfinity;
            foreach (T z in logits)
            {
                double d = double.CreateTruncating(z);
                if (!double.IsFinite(d)) throw new ArgumentException($"The logits hold {d}; cross-entropy needs finite logits.", nameof(logits));
                if (d > max) max = d;
            }

            double sum = 0;
            foreach (T z in logits) sum += Math.Exp(double.CreateTruncating(z) - max);
            return (max, sum);
        }

        private static void Check<T>(ReadOnlySpan<T> logits, int label)
        {
            if (logits.IsEmpty) throw new ArgumentException("The logits are empty.", nameof(logits));
            if ((uint)label >= (uint)logits.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(label), label, $"The label is a class index in 0..{logits.Length - 1}.");
            }
        }
    }
}
