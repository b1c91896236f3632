using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>
    /// How one layer kind is computed in generated code: its forward and backward blocks with the comment stating their
    /// math, its parameter gradients, its constants and buffers, and what it can fuse with. One subclass per kind, in a
    /// file of its own beside this one; <see cref="For(Layer)"/> finds them all, and an unknown kind fails loudly (inside the
    /// generator's guard, as diagnostic RLC099).
    /// </summary>
    internal abstract class LayerEmitter
    {
        /// <summary>The layer record this emits.</summary>
        public abstract Type LayerType { get; }

        /// <summary>Whether the layer only reinterprets its input (Flatten, Dropout): its buffers alias its input's, no kernel runs.</summary>
        public virtual bool IsIdentity => false;

        /// <summary>Whether the layer records switches (max pooling's argmax positions) for its backward pass.</summary>
        public virtual bool KeepsSwitches => false;

        /// <summary>The stem of the layer's geometry constant (<c>conv</c> for <c>s_conv0</c>), or null when it has none.</summary>
        public virtual string? GeometryName => null;

        /// <summary>Whether the layer is a rectifier (ReLU, ReLU6): where the rules differ, and what its neighbours may fuse.</summary>
        public virtual bool IsRectifier => false;

        /// <summary>A rectifier's name in the kernels' <c>Rectifier</c> enumeration: <c>Relu</c>, <c>Relu6</c>.</summary>
        public virtual string RectifierName => throw new InvalidOperationException("Not a rectifier.");

        /// <summary>Whether the layer's forward kernel can apply a rectifier right after it as it stores.</summary>
        public virtual bool AppliesFollowingRectifier => false;

        /// <summary>Whether the layer's backward kernel can apply the rule of a rectifier right before it as it stores.</summary>
        public virtual bool AppliesPrecedingRule(Layer layer) => false;

        /// <summary>Whether the backward differs between rules (ReLU): its comment then states each rule's formula.</summary>
        public virtual bool DependsOnRule => false;

        /// <summary>Whether the layer has parameters, and so gradients to add when training.</summary>
        public virtual bool HasParameters => false;

        /// <summary>What the layer's output buffer holds beyond "output of …", for the workspace's comments.</summary>
        public virtual string OutputNote(PlannedLayer p) => "";

        /// <summary>The geometry constant's type and initialiser, when <see cref="GeometryName"/> is set.</summary>
        public virtual (string Type, string Value) Geometry(PlannedLayer p) =>
            throw new InvalidOperationException($"{p.Layer.Describe()} declares no geometry.");

        /// <summary>The forward math without its label: <c>a1 = W·a0 + b, W = 0.weight [16, 8], b = 0.bias [16]</c>.</summary>
        public abstract string ForwardMath(PlannedLayer p);

        /// <summary>The forward block's statements (its comment is written by the caller).</summary>
        public abstract void EmitForward(EmitScope s, PlannedLayer p);

        /// <summary>The backward math under <paramref name="rule"/> without its label: <c>r9 = Wᵀ·r10, W = 9.weight</c>.</summary>
        public abstract string BackwardMath(PlannedLayer p, BackwardRule rule);

        /// <summary>The backward block's statements, for the rule type parameter <c>TRule</c> (its comment is written by the caller).</summary>
        public abstract void EmitBackward(EmitScope s, PlannedLayer p);

        /// <summary>The LRP block's formula under <paramref name="step"/>'s rule, without its label (stated in its comment and the derivation).</summary>
        /// <exception cref="InvalidOperationException">The kind has no LRP rule (the parser reports such a layer as RLC019 first).</exception>
        public virtual string LrpMath(PlannedLayer p, LrpStep step) => throw new InvalidOperationException($"{p.Layer.Describe()} has no LRP rule.");

        /// <summary>The LRP block's statements: from the relevance at <c>ROut</c> to the relevance at <c>BackwardTarget</c>.</summary>
        public virtual void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => throw new InvalidOperationException($"{p.Layer.Describe()} has no LRP rule.");

        /// <summary>A block's closing LRP step after its chains, as a sentence; null for other kinds.</summary>
        public virtual string? LrpClosing(PlannedLayer p) => BackwardClosing(p);

        /// <summary>The parameter gradients' math, when <see cref="HasParameters"/>: <c>∂W += r10 ⊗ a9, ∂b += r10</c>.</summary>
        public virtual string GradientMath(PlannedLayer p) => throw new InvalidOperationException($"{p.Layer.Describe()} has no parameters.");

        /// <summary>The statement adding the parameter gradients into <c>gradients</c>, when <see cref="HasParameters"/>.</summary>
        public virtual string GradientCall(EmitScope s, PlannedLayer p) => throw new InvalidOperationException($"{p.Layer.Describe()} has no parameters.");

        /// <summary>Whether the layer keeps values derived from its parameters (BatchNorm's folded scale and shift), recomputed after training steps.</summary>
        public virtual bool DerivesFromParameters => false;

        /// <summary>The names of the fields <see cref="EmitDerivedFields"/> declares, so a user member cannot clash with them.</summary>
        public virtual IEnumerable<string> DerivedFieldNames(PlannedLayer p) => Array.Empty<string>();

        /// <summary>The fields holding the derived values, when <see cref="DerivesFromParameters"/>.</summary>
        public virtual void EmitDerivedFields(EmitScope s, PlannedLayer p)
        {
        }

        /// <summary>The statement computing them from the parameters.</summary>
        public virtual void EmitDerivation(EmitScope s, PlannedLayer p)
        {
        }

        /// <summary>
        /// For a block: whether every chain's output signal is the block's own output signal (a sum passes its signal to each
        /// term unchanged), or each chain has its own, filled by the block (a concatenation splits its signal by channel).
        /// </summary>
        public virtual bool ChainsShareOutputSignal => true;

        /// <summary>A block's closing forward step after its chains (a residual sum), as a sentence; null for other kinds.</summary>
        public virtual string? ForwardClosing(PlannedLayer p) => null;

        /// <summary>A block's closing backward step after its chains (the chains' input signals summed), as a sentence; null for other kinds.</summary>
        public virtual string? BackwardClosing(PlannedLayer p) => null;

        /// <summary>The emitter of <paramref name="layer"/>'s kind.</summary>
        /// <exception cref="InvalidOperationException">No emitter handles the kind (a new kind without its emitter file).</exception>
        public static LayerEmitter For(Layer layer) => For(layer.GetType());

        /// <summary>The emitter of the layer kind <paramref name="layerType"/>.</summary>
        /// <exception cref="InvalidOperationException">No emitter handles the kind.</exception>
        public static LayerEmitter For(Type layerType) =>
            s_byType.Value.TryGetValue(layerType, out LayerEmitter? emitter)
                ? emitter
                : throw new InvalidOperationException($"No emitter handles the layer kind {layerType.Name}; add one under src/Generator/Emitting/Kinds.");

        /// <summary>Every emitter, one per kind: each non-abstract subclass in this assembly.</summary>
        public static IReadOnlyCollection<LayerEmitter> All => s_byType.Value.Values;

        private static readonly Lazy<Dictionary<Type, LayerEmitter>> s_byType = new Lazy<Dictionary<Type, LayerEmitter>>(() =>
            typeof(LayerEmitter).GetTypeInfo().Assembly.GetTypes()
                .Where(t => t.GetTypeInfo().IsSubclassOf(typeof(LayerEmitter)) && !t.GetTypeInfo().IsAbstract)
                .Select(t => (LayerEmitter)Activator.CreateInstance(t)!)
                .ToDictionary(e => e.LayerType));
    }

    /// <summary>A <see cref="LayerEmitter"/> for records of type <typeparamref name="TLayer"/>.</summary>
    internal abstract class LayerEmitter<TLayer> : LayerEmitter where TLayer : Layer
    {
        public sealed override Type LayerType => typeof(TLayer);

        /// <summary>The layer as its own type.</summary>
        protected static TLayer Of(PlannedLayer p) => (TLayer)p.Layer;
    }
}
