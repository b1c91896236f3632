using System.Globalization;
using System.Numerics;
using System.Text;
using Relucent.Attribution;
using Relucent.Model;

namespace Relucent.Metrics
{
    /// <summary>Settings of <see cref="SanityChecks.ModelRandomisation{T}"/>.</summary>
    public sealed class ModelRandomisationOptions
    {
        /// <summary>The rules to check, or <c>null</c> for every rule the network has.</summary>
        public IReadOnlyList<BackwardRule>? Rules { get; init; }

        /// <summary>The seed of the random parameters (0 by default).</summary>
        public int Seed { get; init; }
    }

    /// <summary>One row of the model-randomisation check: a rule after a cumulative randomisation step.</summary>
    /// <param name="Step">0 for the topmost layer randomised alone, then one more layer down at each step.</param>
    /// <param name="Layer">The layer randomised at this step (its parameter-name prefix, e.g. <c>"7"</c> or <c>"block.conv1"</c>); every layer above it is random too.</param>
    /// <param name="Rule">The backward rule.</param>
    /// <param name="Spearman">The mean over inputs of Spearman's ρ between the original and the randomised raw maps.</param>
    /// <param name="SpearmanOfAbsolute">The same between their absolute values (Adebayo et al.'s main comparison).</param>
    public sealed record RandomisationStep(int Step, string Layer, BackwardRule Rule, double Spearman, double SpearmanOfAbsolute);

    /// <summary>The result of the model-randomisation check: one <see cref="RandomisationStep"/> per step and rule.</summary>
    public sealed class ModelRandomisationResult
    {
        internal ModelRandomisationResult(string[] layers, BackwardRule[] rules, RandomisationStep[] steps)
        {
            Layers = layers;
            Rules = rules;
            Steps = steps;
        }

        /// <summary>The layers in the order randomised, from the output down: step <c>i</c> has layers 0..i random.</summary>
        public IReadOnlyList<string> Layers { get; }

        /// <summary>The rules checked.</summary>
        public IReadOnlyList<BackwardRule> Rules { get; }

        /// <summary>Every row, by step then rule.</summary>
        public IReadOnlyList<RandomisationStep> Steps { get; }

        /// <summary>The row of <paramref name="rule"/> at <paramref name="step"/>.</summary>
        public RandomisationStep this[BackwardRule rule, int step] =>
            Steps.FirstOrDefault(s => s.Rule == rule && s.Step == step)
            ?? throw new ArgumentException($"No row for {rule} at step {step}; rules {string.Join(", ", Rules)}, steps 0..{Layers.Count - 1}.");

        /// <summary>A table: one line per step, ρ (raw) and ρ (absolute) per rule.</summary>
        public override string ToString()
        {
            var text = new StringBuilder("randomised down to");
            foreach (BackwardRule rule in Rules) text.Append(CultureInfo.InvariantCulture, $" | {rule} ρ, ρ|·|");
            text.AppendLine();
            for (int step = 0; step < Layers.Count; step++)
            {
                text.Append(Layers[step].PadRight(18));
                foreach (BackwardRule rule in Rules)
                {
                    RandomisationStep row = this[rule, step];
                    text.Append(CultureInfo.InvariantCulture, $" | {row.Spearman,6:F3}, {row.SpearmanOfAbsolute,6:F3}");
                }

                text.AppendLine();
            }

            return text.ToString();
        }
    }

    /// <summary>Sanity checks of explanation methods.</summary>
    public static class SanityChecks
    {
        /// <summary>
        /// The cascading model-parameter randomisation test of Adebayo et al. (2018, "Sanity checks for saliency maps"):
        /// randomise the learnable parameters layer by layer from the output down, cumulatively, rebuild the network and
        /// compare each rule's maps with the original ones by Spearman's rank correlation.
        /// </summary>
        /// <remarks>
        /// <para>
        /// A method whose maps depend on what the network computes should decorrelate as layers are randomised; Adebayo et
        /// al. found the gradient does, while guided backpropagation (and DeconvNet) stay highly correlated with the
        /// original maps even with every layer random. This check reports what it measures and does not hide that.
        /// </para>
        /// <para>
        /// Parameters: <paramref name="factory"/> builds a network from named tensors (a generated class's
        /// <c>FromTensors</c>), <paramref name="parameters"/> the original tensors (<c>SafeTensors.Read(path)</c>). The
        /// layers are those of the network's <see cref="Network.Parameters"/> with a <c>weight</c> or <c>bias</c>; running
        /// statistics of batch normalisation are kept. A layer whose weight has two or more dimensions is re-initialised as
        /// PyTorch initialises <c>nn.Linear</c> and <c>nn.Conv2d</c>, <c>U(−1/√fan_in, 1/√fan_in)</c> for weight and
        /// bias (fan_in = the weight's size over its first dimension); other learnable tensors (BatchNorm's γ, β) are
        /// drawn from <c>U(−1, 1)</c>. Random values come from <c>new Random(Seed)</c> and keep the original element
        /// type (float32 or float64; other types become float32).
        /// </para>
        /// <para>
        /// <paramref name="inputs"/> holds N inputs one after another, <paramref name="targets"/> one target each or one
        /// for all; <paramref name="method"/> builds the attribution compared for a network and rule (the rule's map,
        /// <see cref="RuleMap{T}"/>, by default). ρ is averaged over the inputs; it is NaN when a map is constant.
        /// </para>
        /// </remarks>
        public static ModelRandomisationResult ModelRandomisation<T>(
            Func<IReadOnlyDictionary<string, Tensor>, IExplainer<T>> factory,
            IReadOnlyDictionary<string, Tensor> parameters,
            ReadOnlySpan<T> inputs,
            ReadOnlySpan<Target> targets,
            ModelRandomisationOptions? options = null,
            Func<IExplainer<T>, BackwardRule, IAttribution<T>>? method = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(factory);
            ArgumentNullException.ThrowIfNull(parameters);
            options ??= new ModelRandomisationOptions();
            method ??= (explainer, rule) => new RuleMap<T>(explainer, rule);

            IExplainer<T> original = factory(parameters);
            BackwardRule[] rules = (options.Rules ?? original.Rules).ToArray();
            int size = original.InputSize;
            int count = AttributionExtensions.BatchCount(inputs.Length, size, targets.Length, nameof(inputs));

            // Layers with learnable tensors, in network order, then reversed: from the output down.
            var layers = new List<(string Name, List<ParameterInfo> Tensors)>();
            foreach (ParameterInfo info in original.Architecture.Parameters)
            {
                if (info.Role is not (ParameterRole.Weight or ParameterRole.Bias)) continue;
                string layer = info.Name.Substring(0, Math.Max(0, info.Name.LastIndexOf('.')));
                if (layers.Count > 0 && layers[^1].Name == layer) layers[^1].Tensors.Add(info);
                else layers.Add((layer, new List<ParameterInfo> { info }));
            }

            layers.Reverse();
            if (layers.Count == 0) throw new ArgumentException("The network has no learnable parameters to randomise.", nameof(parameters));

            T[][] originalMaps = Maps(original, rules, inputs, targets, count, method);
            var current = new Dictionary<string, Tensor>(parameters);
            var random = new Random(options.Seed);
            var rows = new List<RandomisationStep>();
            for (int step = 0; step < layers.Count; step++)
            {
                (string name, List<ParameterInfo> tensors) = layers[step];
                ParameterInfo? weight = tensors.FirstOrDefault(t => t.Role == ParameterRole.Weight && t.Dimensions.Count >= 2);
                double bound = 1;
                if (weight is not null)
                {
                    long fanIn = weight.Size / weight.Dimensions[0];
                    bound = 1 / Math.Sqrt(fanIn);
                }

                foreach (ParameterInfo info in tensors)
                {
                    if (!parameters.TryGetValue(info.Name, out Tensor? tensor))
                    {
                        throw new ArgumentException($"The parameters have no tensor \"{info.Name}\", which the network needs.", nameof(parameters));
                    }

                    current[info.Name] = Randomised(tensor, bound, random);
                }

                IExplainer<T> randomised = factory(current);
                T[][] maps = Maps(randomised, rules, inputs, targets, count, method);
                for (int r = 0; r < rules.Length; r++)
                {
                    double raw = 0, absolute = 0;
                    for (int n = 0; n < count; n++)
                    {
                        ReadOnlySpan<T> a = originalMaps[r].AsSpan(n * size, size), b = maps[r].AsSpan(n * size, size);
                        raw += RankCorrelation.Spearman(a, b);
                        absolute += RankCorrelation.Spearman<T>(Abs(a), Abs(b));
                    }

                    rows.Add(new RandomisationStep(step, name, rules[r], raw / count, absolute / count));
                }
            }

            return new ModelRandomisationResult(layers.Select(l => l.Name).ToArray(), rules, rows.ToArray());
        }

        private static T[][] Maps<T>(IExplainer<T> explainer, BackwardRule[] rules, ReadOnlySpan<T> inputs, ReadOnlySpan<Target> targets, int count,
            Func<IExplainer<T>, BackwardRule, IAttribution<T>> method)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var maps = new T[rules.Length][];
            for (int r = 0; r < rules.Length; r++) maps[r] = method(explainer, rules[r]).AttributeBatch(inputs, targets);
            return maps;
        }

        private static T[] Abs<T>(ReadOnlySpan<T> map) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var result = map.ToArray();
            PostProcessing.AbsInPlace<T>(result);
            return result;
        }

        private static Tensor Randomised(Tensor tensor, double bound, Random random)
        {
            int[] shape = tensor.GetShape();
            var values = new double[tensor.ElementCount];
            for (int i = 0; i < values.Length; i++) values[i] = bound * (2 * random.NextDouble() - 1);
            if (tensor.DType == DType.F64) return Tensor.FromDouble(values, shape);
            return Tensor.FromSingle(values.Select(v => (float)v).ToArray(), shape);
        }
    }
}
