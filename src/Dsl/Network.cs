using System;
using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// A declared network: an input shape and an immutable chain of layers, with every shape inferred.
    /// Each fluent call returns a new network and checks the new layer at once, with the same rules the
    /// generator applies at compile time, so a network that compiles also builds.
    /// </summary>
    public sealed class Network
    {
        // A residual branch is built from a fresh network starting at the block's input; the origin
        // lets Residual check that the lambda returned a chain grown from that start.
        private readonly object _origin;
        private readonly int[] _pathPrefix;

        private Network(Shape input, EquatableArray<Layer> layers, Shape[] shapes, ParameterInfo[] parameters, object origin, int[] pathPrefix)
        {
            InputShape = input;
            Layers = layers;
            LayerOutputShapes = shapes;
            Parameters = parameters;
            _origin = origin;
            _pathPrefix = pathPrefix;
        }

        internal static Network Start(Shape input)
        {
            LayerError? error = ShapeRules.CheckInput(input);
            if (error != null) throw new NetworkDefinitionException(error);
            return new Network(input, EquatableArray<Layer>.Empty, Array.Empty<Shape>(), Array.Empty<ParameterInfo>(), new object(), Array.Empty<int>());
        }

        /// <summary>The shape of one input example.</summary>
        public Shape InputShape { get; }

        /// <summary>The layers in order; index <c>i</c> is the <c>nn.Sequential</c> index.</summary>
        public EquatableArray<Layer> Layers { get; }

        /// <summary>The output shape of each layer.</summary>
        public IReadOnlyList<Shape> LayerOutputShapes { get; }

        /// <summary>The shape of the network's output.</summary>
        public Shape OutputShape => LayerOutputShapes.Count == 0 ? InputShape : LayerOutputShapes[LayerOutputShapes.Count - 1];

        /// <summary>Every parameter tensor, named as in a PyTorch <c>state_dict</c>.</summary>
        public IReadOnlyList<ParameterInfo> Parameters { get; }

        /// <summary>The number of trainable and running values in all parameters.</summary>
        public long ParameterCount => Parameters.Sum(p => p.Size);

        /// <summary>Adds a fully connected layer <c>y = W·x + b</c> with <c>W</c> of shape <c>[units, in]</c>.</summary>
        public Network Dense(int units, string? name = null) => Append(new DenseLayer(units) { Name = name });

        /// <summary>Adds <c>z = max(x, 0)</c>, the layer whose backward the rules change.</summary>
        public Network ReLU() => Append(new ReLULayer());

        /// <summary>Adds <c>z = tanh(x)</c>.</summary>
        public Network Tanh() => Append(new TanhLayer());

        /// <summary>Adds <c>z = 1 / (1 + e^-x)</c>.</summary>
        public Network Sigmoid() => Append(new SigmoidLayer());

        /// <summary>Reads an image as a vector in C·H·W order.</summary>
        public Network Flatten() => Append(new FlattenLayer());

        /// <summary>Adds <c>s = e^x / Σ e^x</c> over the features.</summary>
        public Network Softmax() => Append(new SoftmaxLayer());

        /// <summary>Adds dropout with probability <paramref name="p"/>: the identity when explaining (eval mode).</summary>
        public Network Dropout(double p) => Append(new DropoutLayer(p));

        /// <summary>Adds a 2-D convolution with a square <paramref name="kernel"/> and zero <paramref name="padding"/>, as <c>nn.Conv2d</c>.</summary>
        public Network Conv2D(int filters, int kernel, int stride = 1, int padding = 0, bool bias = true, string? name = null) =>
            Append(new Conv2DLayer(filters, kernel, stride, padding, bias) { Name = name });

        /// <summary>Adds max pooling; <paramref name="stride"/> defaults to <paramref name="kernel"/>, as <c>nn.MaxPool2d</c>.</summary>
        public Network MaxPool(int kernel, int? stride = null) => Append(new MaxPoolLayer(kernel, stride ?? kernel));

        /// <summary>Adds average pooling without padding; <paramref name="stride"/> defaults to <paramref name="kernel"/>.</summary>
        public Network AvgPool(int kernel, int? stride = null) => Append(new AvgPoolLayer(kernel, stride ?? kernel));

        /// <summary>Adds batch normalisation in eval mode: <c>y = (x − mean) / √(var + eps) · γ + β</c> per channel.</summary>
        public Network BatchNorm(double eps = 1e-5, string? name = null) => Append(new BatchNormLayer(eps) { Name = name });

        /// <summary>
        /// Adds a residual block <c>y = f(x) + x</c>, where <paramref name="branch"/> builds <c>f</c> from the block's
        /// input: <c>.Residual(b =&gt; b.Conv2D(8, kernel: 3, padding: 1).ReLU().Conv2D(8, kernel: 3, padding: 1))</c>.
        /// Its layers' parameter names are prefixed with the block's name.
        /// </summary>
        public Network Residual(Func<Network, Network> branch, string? name = null)
        {
            if (branch is null) throw new ArgumentNullException(nameof(branch));
            int[] blockPath = _pathPrefix.Concat(new[] { Layers.Count }).ToArray();
            var start = new Network(OutputShape, EquatableArray<Layer>.Empty, Array.Empty<Shape>(), Array.Empty<ParameterInfo>(), new object(), blockPath);
            Network body = branch(start) ?? throw new ArgumentException("The residual branch returned null.", nameof(branch));
            if (!ReferenceEquals(body._origin, start._origin))
            {
                throw new ArgumentException("The residual branch must return a chain grown from its argument (b => b.Conv2D(...)...), not another network.", nameof(branch));
            }
            return Append(new ResidualLayer(body.Layers) { Name = name });
        }

        private Network Append(Layer layer)
        {
            int[] path = _pathPrefix.Concat(new[] { Layers.Count }).ToArray();
            LayerError? error = ShapeRules.Check(layer, OutputShape, path, out Shape output);
            if (error != null) throw new NetworkDefinitionException(error);
            var layers = new EquatableArray<Layer>(Layers.Concat(new[] { layer }));
            error = ParameterNames.List(InputShape, layers, out ParameterInfo[] parameters);
            if (error != null) throw new NetworkDefinitionException(error);
            return new Network(InputShape, layers, LayerOutputShapes.Concat(new[] { output }).ToArray(), parameters, _origin, _pathPrefix);
        }

        /// <summary>A summary in the manner of Keras: each layer, its output shape and parameter count.</summary>
        public override string ToString() => NetworkSummary.Format(InputShape, Layers, Parameters);
    }
}
