using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// The shared part of the methods that read a named layer (Grad-CAM, Grad-CAM++, the layer's activation, gradient,
    /// gradient × activation): each call runs the network forward, then the backward pass from the target down to the
    /// layer and no further (<see cref="ILayerExplainer{T}.ExplainAt"/>), and combines the layer's activation <c>A</c> with
    /// the signal arriving there (under <see cref="BackwardRule.Saliency"/>, <c>∂(seed·y)/∂A</c>). A method that reads only
    /// the activation runs the forward pass alone (<see cref="ILayerExplainer{T}.ActivationAt"/>).
    /// </summary>
    /// <remarks>
    /// The layer is looked up once, when the method is made; its activation and signal live in this method's buffers, so
    /// the span overload allocates nothing after the first call. One call at a time (<see cref="SingleCaller"/>).
    /// </remarks>
    public abstract class LayerAttribution<T> : IAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _seed;
        private readonly T[] _activation;
        private readonly T[] _signal;
        private readonly SingleCaller _inUse;
        private IWorkspace? _workspace;

        /// <summary>Binds the method to <paramref name="layer"/> of <paramref name="explainer"/>, read under <paramref name="rule"/>.</summary>
        /// <exception cref="ArgumentException">The network has no layer of that name (the message lists the names it has), or lacks the rule.</exception>
        protected LayerAttribution(ILayerExplainer<T> explainer, string layer, BackwardRule rule)
        {
            ArgumentNullException.ThrowIfNull(explainer);
            ArgumentNullException.ThrowIfNull(layer);
            Checks.HasRule(explainer, rule, nameof(rule));
            Network = explainer;
            Rule = rule;
            Layer = FindLayer(explainer, layer, SingleCaller.NameOf(GetType()));
            int size = checked((int)Layer.Shape.Size);
            _seed = new T[explainer.OutputSize];
            _activation = new T[size];
            _signal = new T[size];
            _inUse = new SingleCaller(SingleCaller.NameOf(GetType()));
        }

        /// <inheritdoc />
        public IExplainer<T> Explainer => Network;

        /// <summary>The network, as the layer explainer it is.</summary>
        public ILayerExplainer<T> Network { get; }

        /// <summary>The layer read: its module path, output shape and place.</summary>
        public NamedLayer Layer { get; }

        /// <summary>The backward rule the signal arriving at the layer is computed under.</summary>
        public BackwardRule Rule { get; }

        /// <inheritdoc />
        public abstract Shape ResultShape { get; }

        /// <summary>The layer's activation of the last call (<see cref="NamedLayer.Shape"/>).</summary>
        protected ReadOnlySpan<T> Activation => _activation;

        /// <summary>The signal that arrived at the layer in the last call.</summary>
        protected ReadOnlySpan<T> Signal => _signal;

        /// <inheritdoc />
        /// <exception cref="ArgumentException">A buffer's length is wrong, or the target is not one of the network's outputs.</exception>
        /// <exception cref="InvalidOperationException">Another call is using this instance (from another thread).</exception>
        public void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = _inUse.Enter();
            Checks.InputAndResult(Explainer, input, result, ResultShape);
            target.WriteSeed<T>(_seed);
            Run(input, _seed, result);
        }

        /// <summary>
        /// Runs the network to the layer from <paramref name="seed"/> (forward alone when the method does not read the
        /// signal), then <see cref="Combine"/>; for a caller inside <see cref="Enter"/>.
        /// </summary>
        protected void Run(ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> result)
        {
            IWorkspace workspace = _workspace ??= Network.CreateWorkspace();
            if (ReadsSignal) Network.ExplainAt(Rule, Layer.Name, input, seed, _activation, _signal, workspace);
            else Network.ActivationAt(Layer.Name, input, _activation, workspace);
            Combine(_activation, _signal, result);
        }

        /// <summary>Whether <see cref="Combine"/> reads the signal; a method reading only the activation runs no backward pass.</summary>
        protected virtual bool ReadsSignal => true;

        /// <summary>Marks a call as using this instance's buffers until disposed; refuses an overlapping one.</summary>
        protected SingleCaller.Scope Enter() => _inUse.Enter();

        /// <summary>The method itself: the map from the layer's <paramref name="activation"/> and the <paramref name="signal"/> arriving there.</summary>
        protected abstract void Combine(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, Span<T> result);

        /// <summary>The layer named <paramref name="name"/>, or an exception naming <paramref name="method"/> and the layers there are.</summary>
        internal static NamedLayer FindLayer(ILayerExplainer<T> explainer, string name, string method)
        {
            IReadOnlyList<NamedLayer> layers = explainer.NamedLayers;
            try
            {
                return layers[NamedLayer.Find(layers, name)];
            }
            catch (ArgumentException e)
            {
                string message = e.Message;
                int cut = message.LastIndexOf(" (Parameter", StringComparison.Ordinal);
                throw new ArgumentException($"{method}: {(cut > 0 ? message[..cut] : message)}", "layer", e);
            }
        }

        /// <summary>The layer's shape as channels × height × width: a vector of n values is n channels of 1×1, as PyTorch's [N, C] layers.</summary>
        internal static (int Channels, int Height, int Width) Planes(Shape shape) =>
            shape.IsImage ? (shape.Channels, shape.Height, shape.Width) : (shape.Channels, 1, 1);
    }
}
