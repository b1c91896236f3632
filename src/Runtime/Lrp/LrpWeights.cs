using System.Numerics;
using System.Numerics.Tensors;
using Relucent.Kernels;

namespace Relucent.Lrp
{
    /// <summary>
    /// The parameters one convolution or dense layer's LRP rule reads: its weight (column-major <c>[outputs, inputs]</c>, as the
    /// kernels hold it) and bias, with a BatchNorm right after it merged in as Zennit's canonizer does
    /// (<c>canonizers.py:117-150</c>: <c>W' = W·γ/√(σ² + eps)</c> per output, <c>b' = (b − μ)·γ/√(σ² + eps) + β</c>), and the
    /// modified copies the rules need (<c>W⁺</c>, <c>W⁻</c>, <c>W + γW⁺</c>, ...), each made on first use and kept. Build a new
    /// one when the parameters change.
    /// </summary>
    public sealed class LrpWeights<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int _outputs;
        private T[]? _positive, _negative, _positiveBias, _negativeBias, _ones, _zeroBias;
        private GammaParameters? _gamma;

        private LrpWeights(T[] weight, T[] bias, int outputs)
        {
            Weight = weight;
            Bias = bias;
            _outputs = outputs;
        }

        /// <summary>The layer's own parameters (kept, not copied); an empty <paramref name="bias"/> is a layer without bias, read as zeros.</summary>
        public static LrpWeights<T> Of(T[] weight, ReadOnlySpan<T> bias, int outputs)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (outputs <= 0 || weight.Length % outputs != 0) throw new ArgumentException($"A weight of {weight.Length} values cannot have {outputs} outputs.", nameof(outputs));
            if (bias.Length != 0 && bias.Length != outputs) throw new ArgumentException($"The bias has {bias.Length} values, expected {outputs}.", nameof(bias));
            return new LrpWeights<T>(weight, bias.Length == 0 ? new T[outputs] : bias.ToArray(), outputs);
        }

        /// <summary>
        /// The layer's parameters with the BatchNorm after it merged in (<paramref name="gamma"/>, <paramref name="beta"/>, running
        /// <paramref name="mean"/> and <paramref name="variance"/>, <paramref name="eps"/>), in Zennit's order of operations.
        /// </summary>
        public static LrpWeights<T> Merged(T[] weight, ReadOnlySpan<T> bias, int outputs, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta,
            ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, double eps)
        {
            LrpWeights<T> own = Of(weight, bias, outputs);
            if (gamma.Length != outputs || beta.Length != outputs || mean.Length != outputs || variance.Length != outputs)
            {
                throw new ArgumentException($"The BatchNorm has {gamma.Length} channels, the layer before it {outputs} outputs.", nameof(gamma));
            }
            var merged = new T[weight.Length];
            var mergedBias = new T[outputs];
            NormalizationKernels.Merge(weight, own.Bias, gamma, beta, mean, variance, eps, merged, mergedBias);
            return new LrpWeights<T>(merged, mergedBias, outputs);
        }

        /// <summary><c>W</c>, merged, column-major.</summary>
        public T[] Weight { get; }

        /// <summary><c>b</c>, merged; zeros for a layer without bias.</summary>
        public T[] Bias { get; }

        /// <summary><c>W⁺ = max(W, 0)</c>.</summary>
        public T[] PositiveWeight => _positive ??= Clamp(Weight, positive: true);

        /// <summary><c>W⁻ = min(W, 0)</c>.</summary>
        public T[] NegativeWeight => _negative ??= Clamp(Weight, positive: false);

        /// <summary><c>b⁺ = max(b, 0)</c>.</summary>
        public T[] PositiveBias => _positiveBias ??= Clamp(Bias, positive: true);

        /// <summary><c>b⁻ = min(b, 0)</c>.</summary>
        public T[] NegativeBias => _negativeBias ??= Clamp(Bias, positive: false);

        /// <summary>Zeros of the bias's size (a rule's copy with its bias zeroed).</summary>
        public T[] ZeroBias => _zeroBias ??= new T[_outputs];

        /// <summary>A weight of ones (the Flat rule).</summary>
        public T[] Ones => _ones ??= Filled(Weight.Length, T.One);

        /// <summary><c>W + γW⁺</c>.</summary>
        public T[] GammaPositiveWeight(T gamma) => Gamma(gamma).Weight;

        /// <summary><c>W + γW⁻</c>.</summary>
        public T[] GammaNegativeWeight(T gamma) => Gamma(gamma).NegativeWeight;

        /// <summary><c>b + γb⁺</c>.</summary>
        public T[] GammaPositiveBias(T gamma) => Gamma(gamma).Bias;

        /// <summary><c>b + γb⁻</c>.</summary>
        public T[] GammaNegativeBias(T gamma) => Gamma(gamma).NegativeBias;

        // The four γ-modified parameters, kept for the γ asked first (a layer has one γ); another γ is computed each time.
        private GammaParameters Gamma(T gamma)
        {
            GammaParameters? kept = _gamma;
            if (kept != null && kept.Gamma == gamma) return kept;
            var made = new GammaParameters(gamma, PlusGamma(Weight, PositiveWeight, gamma), PlusGamma(Weight, NegativeWeight, gamma),
                PlusGamma(Bias, PositiveBias, gamma), PlusGamma(Bias, NegativeBias, gamma));
            Interlocked.CompareExchange(ref _gamma, made, null);
            return made;
        }

        private sealed record GammaParameters(T Gamma, T[] Weight, T[] NegativeWeight, T[] Bias, T[] NegativeBias);

        private static T[] Clamp(T[] values, bool positive)
        {
            var result = new T[values.Length];
            if (positive) TensorPrimitives.Max(values, T.Zero, result);
            else TensorPrimitives.Min(values, T.Zero, result);
            return result;
        }

        // Zennit's gamma modifier: param + gamma * param.clamp(...), in that order.
        private static T[] PlusGamma(T[] values, T[] part, T gamma)
        {
            var result = new T[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = values[i] + gamma * part[i];
            return result;
        }

        private static T[] Filled(int length, T value)
        {
            var result = new T[length];
            Array.Fill(result, value);
            return result;
        }
    }
}
