using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// An attribution method bound to one network: given an input and a <see cref="Target"/>, writes a map of
    /// <see cref="ResultShape"/>: one value per input value (C·H·W order, the input's layout) for the input methods, the
    /// layer's resolution for a layer method (Grad-CAM's h·w, a layer's activation C·h·w). Maps are raw and signed;
    /// post-processing (absolute value, ReLU, channel reduction, upsampling, normalisation, clipping) is explicit, see
    /// <see cref="PostProcessing"/> and <see cref="Upsampling"/>.
    /// </summary>
    /// <remarks>
    /// Implementations keep their buffers and one workspace of <see cref="Explainer"/>, so repeated calls through the
    /// span overload allocate nothing (unless a method's documentation says otherwise). An instance serves one call at a
    /// time: give each thread its own. The methods here refuse a call that overlaps another on the same instance with
    /// <see cref="InvalidOperationException"/> naming the method, rather than mixing the two calls' buffers.
    /// </remarks>
    /// <typeparam name="T"><c>float</c> or <c>double</c>, the network's precision.</typeparam>
    public interface IAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The network explained.</summary>
        IExplainer<T> Explainer { get; }

        /// <summary>
        /// The shape of one map: the input's shape (the default) for a method that attributes to the input, the layer's
        /// resolution for a layer method.
        /// </summary>
        Shape ResultShape => Explainer.Architecture.InputShape;

        /// <summary>The map of <paramref name="input"/> (<see cref="IExplainer{T}.InputSize"/> values) for <paramref name="target"/>, into <paramref name="result"/> (<see cref="ResultShape"/>'s size).</summary>
        void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result);
    }

    /// <summary>Conveniences over any <see cref="IAttribution{T}"/>: allocating overloads and batches.</summary>
    public static class AttributionExtensions
    {
        /// <summary>The map of one input, as a new array.</summary>
        public static T[] Attribute<T>(this IAttribution<T> method, ReadOnlySpan<T> input, Target target)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(method);
            var result = new T[method.ResultShape.Size];
            method.Attribute(input, target, result);
            return result;
        }

        /// <summary>
        /// The maps of a batch: <paramref name="inputs"/> holds N inputs one after another (N × InputSize values),
        /// <paramref name="targets"/> one target per example or a single one for all, <paramref name="results"/> N maps
        /// one after another (N × <see cref="IAttribution{T}.ResultShape"/>'s size: laid out as the inputs for an input method).
        /// </summary>
        public static void AttributeBatch<T>(this IAttribution<T> method, ReadOnlySpan<T> inputs, ReadOnlySpan<Target> targets, Span<T> results)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(method);
            int size = method.Explainer.InputSize;
            int mapSize = checked((int)method.ResultShape.Size);
            int count = BatchCount(inputs.Length, size, targets.Length, nameof(inputs));
            if (results.Length != count * mapSize) Guard.Length<T>(results, count * mapSize, nameof(results), $"[{count}, {string.Join(", ", method.ResultShape.Dimensions)}]");
            for (int n = 0; n < count; n++)
            {
                method.Attribute(inputs.Slice(n * size, size), targets[targets.Length == 1 ? 0 : n], results.Slice(n * mapSize, mapSize));
            }
        }

        /// <summary>The maps of a batch (see the span overload), as a new array of N maps.</summary>
        public static T[] AttributeBatch<T>(this IAttribution<T> method, ReadOnlySpan<T> inputs, ReadOnlySpan<Target> targets)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(method);
            int size = method.Explainer.InputSize;
            var results = new T[BatchCount(inputs.Length, size, targets.Length, nameof(inputs)) * method.ResultShape.Size];
            method.AttributeBatch(inputs, targets, results);
            return results;
        }

        /// <summary>The number of examples in a batch of <paramref name="length"/> values; checks the target count.</summary>
        internal static int BatchCount(int length, int size, int targets, string argument)
        {
            if (size <= 0 || length % size != 0 || length == 0)
            {
                throw new ArgumentException($"{argument} has {length} values, not a positive multiple of the input size {size}.", argument);
            }

            int count = length / size;
            if (targets != 1 && targets != count)
            {
                throw new ArgumentException($"A batch of {count} inputs needs {count} targets (one per example) or one for all; got {targets}.", "targets");
            }

            return count;
        }
    }

    /// <summary>Argument checks that allocate only when they fail.</summary>
    internal static class Checks
    {
        public static void InputAndResult<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, ReadOnlySpan<T> result)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int size = explainer.InputSize;
            if (input.Length != size) Guard.Length(input, size, nameof(input), explainer.Architecture.InputShape.ToString());
            if (result.Length != size) Guard.Length(result, size, nameof(result), explainer.Architecture.InputShape.ToString());
        }

        /// <summary>The input is the network's size and the result <paramref name="resultShape"/>'s.</summary>
        public static void InputAndResult<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, ReadOnlySpan<T> result, Shape resultShape)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int size = explainer.InputSize;
            if (input.Length != size) Guard.Length(input, size, nameof(input), explainer.Architecture.InputShape.ToString());
            if (result.Length != resultShape.Size) Guard.Length(result, (int)resultShape.Size, nameof(result), resultShape.ToString());
        }

        /// <summary>Throws unless <paramref name="explainer"/> has <paramref name="rule"/>, naming the rules it has.</summary>
        public static void HasRule<T>(IExplainer<T> explainer, BackwardRule rule, string argument = "rule")
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!explainer.Rules.Contains(rule))
            {
                throw new ArgumentException(
                    $"The network has no {rule} method; its rules are {string.Join(", ", explainer.Rules)} (name the rule in its attributes).", argument);
            }
        }
    }

    /// <summary>
    /// The shared part of the methods that run one backward <see cref="Rule"/> of a network: argument checks, the seed
    /// buffer and the workspace.
    /// </summary>
    public abstract class RuleAttribution<T> : IAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private IWorkspace? _workspace;
        private readonly T[] _seed;
        private readonly SingleCaller _inUse;

        /// <summary>Binds the method to <paramref name="explainer"/> and checks that it has <paramref name="rule"/>.</summary>
        protected RuleAttribution(IExplainer<T> explainer, BackwardRule rule)
        {
            ArgumentNullException.ThrowIfNull(explainer);
            Checks.HasRule(explainer, rule, nameof(rule));
            Explainer = explainer;
            Rule = rule;
            _seed = new T[explainer.OutputSize];
            _inUse = new SingleCaller(SingleCaller.NameOf(GetType()));
        }

        /// <inheritdoc />
        public IExplainer<T> Explainer { get; }

        /// <summary>The backward rule whose map the method is built on.</summary>
        public BackwardRule Rule { get; }

        /// <summary>This method's workspace of <see cref="Explainer"/>, made on first use.</summary>
        protected IWorkspace Workspace => _workspace ??= Explainer.CreateWorkspace();

        /// <inheritdoc />
        /// <exception cref="InvalidOperationException">Another call is using this instance (from another thread).</exception>
        public void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = Enter();
            AttributeInside(input, target, result);
        }

        /// <summary>Marks a call as using this instance's buffers until disposed; refuses an overlapping one.</summary>
        protected SingleCaller.Scope Enter() => _inUse.Enter();

        /// <summary><see cref="Attribute"/> for a caller already inside <see cref="Enter"/>.</summary>
        protected void AttributeInside(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            Checks.InputAndResult(Explainer, input, result);
            target.WriteSeed<T>(_seed);
            AttributeCore(input, target, _seed, result);
        }

        /// <summary>The method itself, after the checks: <paramref name="seed"/> is the target written as a seed.</summary>
        protected abstract void AttributeCore(ReadOnlySpan<T> input, Target target, ReadOnlySpan<T> seed, Span<T> result);
    }

    /// <summary>
    /// The map of one backward rule, as is: the gradient for <see cref="BackwardRule.Saliency"/> (Captum's
    /// <c>Saliency(abs=False)</c>), DeconvNet's or guided backpropagation's signal at the input otherwise.
    /// </summary>
    public sealed class RuleMap<T> : RuleAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The map of <paramref name="rule"/> (the gradient by default).</summary>
        public RuleMap(IExplainer<T> explainer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, rule)
        {
        }

        /// <inheritdoc />
        protected override void AttributeCore(ReadOnlySpan<T> input, Target target, ReadOnlySpan<T> seed, Span<T> result) =>
            Explainer.Explain(Rule, input, seed, result, Workspace);
    }

    /// <summary>
    /// Gradient × input (Shrikumar et al. 2016; Captum's <c>InputXGradient</c>): <c>map ⊙ x</c>, with the map of any
    /// rule (the gradient by default).
    /// </summary>
    public sealed class GradientTimesInput<T> : RuleAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Multiplies the map of <paramref name="rule"/> by the input.</summary>
        public GradientTimesInput(IExplainer<T> explainer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, rule)
        {
        }

        /// <inheritdoc />
        protected override void AttributeCore(ReadOnlySpan<T> input, Target target, ReadOnlySpan<T> seed, Span<T> result)
        {
            Explainer.Explain(Rule, input, seed, result, Workspace);
            for (int i = 0; i < result.Length; i++) result[i] *= input[i];
        }
    }
}
