using System.Numerics;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;
using LinearAlgebra = MathNet.Numerics.LinearAlgebra;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// The base of every generated network class. What is the same for every network is written once here: the array,
    /// MathNet and span overloads, their argument checks, the workspace a simple call reuses, <see cref="IExplainer{T}"/>
    /// and <see cref="ITrainable{T}"/>. The generated class adds what is specific to its network: its constants and
    /// parameters, its buffers (<typeparamref name="TWorkspace"/>), its forward pass and its backward pass.
    /// </summary>
    /// <typeparam name="T"><c>float</c>, or <c>double</c> under <c>[DoublePrecision]</c>.</typeparam>
    /// <typeparam name="TWorkspace">The generated class's <c>Workspace</c>.</typeparam>
    public abstract class GeneratedNetwork<T, TWorkspace> : ITrainable<T>, ILayerExplainer<T>, IHeadedNetwork<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWorkspace : NetworkWorkspace<T>, new()
    {
        private readonly Network _architecture;
        private readonly BackwardRule[] _rules;
        private readonly T[][] _storage;
        private readonly bool[] _trainable;
        private readonly int _inputSize;
        private readonly int _outputSize;
        private readonly string _inputShape;  // for messages, made once: a call must not allocate
        private readonly string _outputShape;

        private IReadOnlyList<NamedLayer>? _named;

        // One workspace kept for the array and MathNet overloads, so the simple call allocates only its result. A call
        // takes it (or, when another thread holds it, makes its own) and puts it back when done.
        private TWorkspace? _spare;

        /// <summary>
        /// Holds the parameters <paramref name="values"/> (in <see cref="Network.Parameters"/> order, each in C order as
        /// PyTorch stores it, owned from now on) of the network <paramref name="architecture"/>, in the kernels' layout
        /// (<see cref="ParameterLayout"/>); the network explains under <paramref name="rules"/>.
        /// </summary>
        protected GeneratedNetwork(Network architecture, IReadOnlyList<ParameterShape> declared, BackwardRule[] rules, T[][] values)
        {
            _architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
            _rules = rules ?? throw new ArgumentNullException(nameof(rules));
            ArgumentNullException.ThrowIfNull(declared);
            ArgumentNullException.ThrowIfNull(values);
            IReadOnlyList<ParameterInfo> parameters = architecture.Parameters;
            CheckSameNetwork(parameters, declared);
            if (values.Length != parameters.Count) throw new ArgumentException($"The network has {parameters.Count} parameters, got {values.Length} arrays.", nameof(values));
            _storage = new T[values.Length][];
            long released = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] is null || values[i].Length != parameters[i].Size)
                {
                    throw new ArgumentException($"Parameter '{parameters[i].Name}' needs {parameters[i].Size} values, got {values[i]?.Length.ToString() ?? "null"}.", nameof(values));
                }
                _storage[i] = ParameterLayout.ToKernel(parameters[i], values[i]);
                if (!ReferenceEquals(_storage[i], values[i])) released += (long)values[i].Length * Unsafe.SizeOf<T>();
                values[i] = null!; // owned: a matrix's C-order copy may go as soon as its kernel copy is made (a large network's peak)
            }
            LoadGarbage.Released(released);
            _trainable = architecture.Parameters.Select(p => p.Role is ParameterRole.Weight or ParameterRole.Bias).ToArray();
            _inputSize = checked((int)architecture.InputShape.Size);
            _outputSize = checked((int)architecture.OutputShape.Size);
            _inputShape = architecture.InputShape.ToString();
            _outputShape = architecture.OutputShape.ToString();
        }

        /// <summary>The forward pass: <c>workspace.Input</c> to <c>workspace.Output</c>, recording what the backward passes read.</summary>
        protected abstract void RunForward(TWorkspace workspace);

        /// <summary>
        /// The forward pass with every declared layer its own step, for what reads a layer's own output: training (a BatchNorm's
        /// parameter gradients read its input), layer methods (a named layer's activation, <see cref="ActivationAt"/> too) and
        /// the LRP passes (to the interpreter's bits, as layer methods give them). <see cref="RunForward"/> by default; a class
        /// whose <see cref="RunForward"/> merges each BatchNorm into the layer before it overrides it.
        /// </summary>
        protected virtual void RunDeclaredForward(TWorkspace workspace) => RunForward(workspace);

        /// <summary>
        /// The backward pass under <paramref name="rule"/>, after <see cref="RunForward"/> (or, with <paramref name="gradients"/>, a
        /// named layer or an LRP composite, after <see cref="RunDeclaredForward"/>): from <c>workspace.Seed</c>, or the
        /// signal at named layer <paramref name="from"/>, to <c>workspace.Map</c>, or the signal at named layer
        /// <paramref name="to"/> (−1: the output, the input); with <paramref name="gradients"/>, each parameter's true gradient
        /// is added to it too.
        /// </summary>
        protected abstract void RunBackward(TWorkspace workspace, BackwardRule rule, T[][]? gradients, int from, int to);

        /// <summary>
        /// <see cref="RunBackward"/>'s <c>from</c> for a pass starting at the dense head's input (<see cref="HeadStart"/>): the
        /// map pass from there to the input, after <see cref="RunTrunk"/>, with the signal at the head's input written first.
        /// </summary>
        protected const int FromHeadInput = -2;

        /// <summary>
        /// The first top-level layer of the network's dense head (its last layers, when they are only dense layers, ReLUs,
        /// dropouts and a flatten and hold many weights), or −1 when it has none: a batch runs the layers before it example by
        /// example (<see cref="RunTrunk"/>) and the head once for all its examples, reading each weight once (<see cref="DenseHead{T}"/>).
        /// </summary>
        protected virtual int HeadStart => -1;

        /// <summary>The forward pass up to the dense head's input, as <see cref="RunForward"/> runs it (its first part).</summary>
        protected virtual void RunTrunk(TWorkspace workspace) => throw new NotSupportedException($"{GetType().Name} has no dense head.");

        /// <summary>The activation at the dense head's input (the trunk's output) and the signal there.</summary>
        protected virtual (T[] Activation, T[] Signal) HeadInput(TWorkspace workspace) => throw new NotSupportedException($"{GetType().Name} has no dense head.");

        /// <summary>The activation and signal buffers of named layer <paramref name="layer"/> (an index into <see cref="NamedLayers"/>).</summary>
        protected virtual (T[] Activation, T[] Signal) LayerBuffers(TWorkspace workspace, int layer) =>
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"{GetType().Name} has no named layers; give a layer name: to address it.");

        /// <summary>The logits (the network's output) for one input.</summary>
        public T[] Forward(T[] input)
        {
            ArgumentNullException.ThrowIfNull(input);
            var output = new T[_outputSize];
            TWorkspace workspace = Rent();
            Forward(input, output, workspace);
            Return(workspace);
            return output;
        }

        /// <summary>The logits for one input, as MathNet vectors.</summary>
        public LinearAlgebra.Vector<T> Forward(LinearAlgebra.Vector<T> input)
        {
            ArgumentNullException.ThrowIfNull(input);
            return LinearAlgebra.Vector<T>.Build.Dense(Forward(input.ToArray()));
        }

        /// <summary>The logits for one input, into <paramref name="output"/>, allocating nothing.</summary>
        public void Forward(ReadOnlySpan<T> input, Span<T> output, TWorkspace workspace)
        {
            Guard.Length(input, _inputSize, nameof(input), _inputShape);
            Guard.Length<T>(output, _outputSize, nameof(output), _outputShape);
            ArgumentNullException.ThrowIfNull(workspace);
            if (workspace.CheckFinite) Guard.Finite(input, nameof(input));
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace);
            workspace.Output.CopyTo(output);
        }

        /// <summary>The logits for one single-channel image given as a matrix (height × width).</summary>
        protected LinearAlgebra.Vector<T> ForwardImage(Matrix<T> input)
        {
            ArgumentNullException.ThrowIfNull(input);
            return LinearAlgebra.Vector<T>.Build.Dense(Forward(ImageValues(input)));
        }

        /// <summary>The map of <paramref name="input"/> under <paramref name="rule"/> for the logit <paramref name="target"/> (a one-hot seed, no softmax).</summary>
        protected T[] Explain(BackwardRule rule, T[] input, int target)
        {
            ArgumentNullException.ThrowIfNull(input);
            var result = new T[_inputSize];
            TWorkspace workspace = Rent();
            Explain(rule, input, target, result, workspace);
            Return(workspace);
            return result;
        }

        /// <summary>The map of <paramref name="input"/> under <paramref name="rule"/> from the output-side signal <paramref name="seed"/>.</summary>
        protected T[] Explain(BackwardRule rule, T[] input, T[] seed)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(seed);
            var result = new T[_inputSize];
            TWorkspace workspace = Rent();
            Explain(rule, input, seed, result, workspace);
            Return(workspace);
            return result;
        }

        /// <summary>The map for the logit <paramref name="target"/>, as MathNet vectors.</summary>
        protected LinearAlgebra.Vector<T> Explain(BackwardRule rule, LinearAlgebra.Vector<T> input, int target)
        {
            ArgumentNullException.ThrowIfNull(input);
            return LinearAlgebra.Vector<T>.Build.Dense(Explain(rule, input.ToArray(), target));
        }

        /// <summary>The map from the output-side signal <paramref name="seed"/>, as MathNet vectors.</summary>
        protected LinearAlgebra.Vector<T> Explain(BackwardRule rule, LinearAlgebra.Vector<T> input, LinearAlgebra.Vector<T> seed)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(seed);
            return LinearAlgebra.Vector<T>.Build.Dense(Explain(rule, input.ToArray(), seed.ToArray()));
        }

        /// <summary>The map of a single-channel image given as a matrix, for the logit <paramref name="target"/>.</summary>
        protected Matrix<T> Explain(BackwardRule rule, Matrix<T> input, int target)
        {
            ArgumentNullException.ThrowIfNull(input);
            return Matrix<T>.Build.DenseOfRowMajor(input.RowCount, input.ColumnCount, Explain(rule, ImageValues(input), target));
        }

        /// <summary>The map of a single-channel image given as a matrix, from the output-side signal <paramref name="seed"/>.</summary>
        protected Matrix<T> Explain(BackwardRule rule, Matrix<T> input, LinearAlgebra.Vector<T> seed)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(seed);
            return Matrix<T>.Build.DenseOfRowMajor(input.RowCount, input.ColumnCount, Explain(rule, ImageValues(input), seed.ToArray()));
        }

        /// <summary>The map for the logit <paramref name="target"/> into <paramref name="result"/>, allocating nothing.</summary>
        protected void Explain(BackwardRule rule, ReadOnlySpan<T> input, int target, Span<T> result, TWorkspace workspace)
        {
            Guard.Length(input, _inputSize, nameof(input), _inputShape);
            Guard.Target(target, _outputSize);
            Guard.Length<T>(result, _inputSize, nameof(result), _inputShape);
            ArgumentNullException.ThrowIfNull(workspace);
            if (workspace.CheckFinite) Guard.Finite(input, nameof(input));
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace, declared: rule.IsLrp());
            Array.Clear(workspace.Seed);
            workspace.Seed[target] = T.One;
            Backward(rule, workspace, result);
        }

        /// <summary>The map from the output-side signal <paramref name="seed"/> into <paramref name="result"/>, allocating nothing.</summary>
        protected void Explain(BackwardRule rule, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> result, TWorkspace workspace)
        {
            Guard.Length<T>(result, _inputSize, nameof(result), _inputShape);
            CheckPassFrom(input, seed, _architecture.OutputShape, nameof(seed), workspace);
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace, declared: rule.IsLrp());
            seed.CopyTo(workspace.Seed);
            Backward(rule, workspace, result);
        }

        /// <summary>
        /// The checks every pass started from a signal shares: the input's and the signal's lengths (an output seed, or a
        /// named layer's), the workspace, and their finiteness when the workspace asks for it.
        /// </summary>
        private void CheckPassFrom(ReadOnlySpan<T> input, ReadOnlySpan<T> signal, Shape signalShape, string signalName, TWorkspace workspace)
        {
            Guard.Length(input, _inputSize, nameof(input), _inputShape);
            Guard.Length(signal, signalShape, signalName);
            ArgumentNullException.ThrowIfNull(workspace);
            if (workspace.CheckFinite)
            {
                Guard.Finite(input, nameof(input));
                Guard.Finite(signal, signalName);
            }
        }

        /// <summary>The parameters' own storage (matrices column-major), in <c>ParameterShapes</c> order; optimisers update it in place, then call <see cref="ParametersChanged"/>.</summary>
        public IReadOnlyList<T[]> ParameterStorage => _storage;

        /// <summary>Whether each parameter is trained; BatchNorm running statistics keep their loaded values.</summary>
        public IReadOnlyList<bool> Trainable => _trainable;

        /// <summary>Zeroed gradient buffers shaped like <see cref="ParameterStorage"/>.</summary>
        public T[][] CreateGradients() => _storage.Select(p => new T[p.Length]).ToArray();

        /// <summary>The parameters as named tensors in PyTorch's names and layouts (a state_dict), as they are now.</summary>
        public Dictionary<string, Tensor> ToTensors()
        {
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            IReadOnlyList<ParameterInfo> parameters = _architecture.Parameters;
            for (int i = 0; i < parameters.Count; i++)
            {
                T[] values = ParameterLayout.ToPyTorch(parameters[i], _storage[i]);
                int[] shape = parameters[i].Dimensions.ToArray();
                tensors[parameters[i].Name] = typeof(T) == typeof(float) ? Tensor.FromSingle((float[])(object)values, shape) : Tensor.FromDouble((double[])(object)values, shape);
            }
            return tensors;
        }

        /// <summary>Saves the parameters as a safetensors file that <c>safetensors.torch.load_file</c> reads back as a state_dict.</summary>
        public void Save(string safetensorsPath) => SafeTensors.Write(safetensorsPath, ToTensors());

        /// <summary>Recomputes what is derived from the parameters (folded BatchNorm scales) after an optimiser changed them.</summary>
        public virtual void ParametersChanged()
        {
        }

        /// <summary>
        /// Adds to <paramref name="gradients"/> the gradient of Σ seed·output with respect to every parameter at <paramref name="input"/>;
        /// with <paramref name="seed"/> = ∂loss/∂output (e.g. softmax − one-hot for cross-entropy) this is ∂loss/∂parameters.
        /// The true gradient: the Saliency rule at every ReLU.
        /// </summary>
        public void AccumulateGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> seed, T[][] gradients, TWorkspace workspace)
        {
            ArgumentNullException.ThrowIfNull(gradients);
            Guard.Count(gradients.Length, _storage.Length, nameof(gradients));
            for (int i = 0; i < gradients.Length; i++)
            {
                if (gradients[i] is null || gradients[i].Length != _storage[i].Length)
                {
                    throw new ArgumentException($"gradients[{i}] must hold {_storage[i].Length} values, like parameter '{_architecture.Parameters[i].Name}'; use CreateGradients().", nameof(gradients));
                }
            }
            CheckPassFrom(input, seed, _architecture.OutputShape, nameof(seed), workspace);
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace, declared: true);
            seed.CopyTo(workspace.Seed);
            RunBackward(workspace, BackwardRule.Saliency, gradients, -1, -1);
        }

        /// <inheritdoc />
        public IReadOnlyList<NamedLayer> NamedLayers => _named ??= NamedLayer.Of(_architecture);

        /// <summary>The activation of <paramref name="layer"/> for <paramref name="input"/>: the forward pass alone (see <see cref="ILayerExplainer{T}.ActivationAt"/>).</summary>
        public void ActivationAt(string layer, ReadOnlySpan<T> input, Span<T> activation, TWorkspace workspace)
        {
            int index = NamedLayer.Find(NamedLayers, layer);
            Guard.Length<T>(activation, NamedLayers[index].Shape, nameof(activation));
            Guard.Length(input, _inputSize, nameof(input), _inputShape);
            ArgumentNullException.ThrowIfNull(workspace);
            if (workspace.CheckFinite) Guard.Finite(input, nameof(input));
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace, declared: true);
            LayerBuffers(workspace, index).Activation.CopyTo(activation);
        }

        /// <summary>
        /// The activation of <paramref name="layer"/> and the signal arriving at it under <paramref name="rule"/> from
        /// <paramref name="seed"/> at the output; the backward pass stops there (see <see cref="ILayerExplainer{T}.ExplainAt"/>).
        /// </summary>
        public void ExplainAt(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> activation, Span<T> signal, TWorkspace workspace)
        {
            int index = NamedLayer.Find(NamedLayers, layer);
            Guard.Length<T>(activation, NamedLayers[index].Shape, nameof(activation));
            Guard.Length<T>(signal, NamedLayers[index].Shape, nameof(signal));
            CheckRule(rule);
            CheckPassFrom(input, seed, _architecture.OutputShape, nameof(seed), workspace);
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace, declared: true);
            seed.CopyTo(workspace.Seed);
            RunBackward(workspace, rule, null, -1, index);
            (T[] a, T[] r) = LayerBuffers(workspace, index);
            if (workspace.CheckFinite) Guard.FiniteResult<T>(r, "the signal at ", layer);
            a.CopyTo(activation);
            r.CopyTo(signal);
        }

        /// <summary>
        /// The map of <paramref name="input"/> under <paramref name="rule"/> from <paramref name="layerSeed"/> at <paramref name="layer"/>'s
        /// output (see <see cref="ILayerExplainer{T}.ExplainFrom"/>).
        /// </summary>
        public void ExplainFrom(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> layerSeed, Span<T> result, TWorkspace workspace)
        {
            int index = NamedLayer.Find(NamedLayers, layer);
            NamedLayer named = NamedLayers[index];
            if (!named.CanStart)
            {
                throw new ArgumentException($"A backward pass cannot start at '{layer}' (layer {named.Label}), inside a block; start at a named layer outside blocks.", nameof(layer));
            }
            Guard.Length<T>(result, _inputSize, nameof(result), _inputShape);
            CheckRule(rule);
            CheckPassFrom(input, layerSeed, named.Shape, nameof(layerSeed), workspace);
            using SingleCaller.Scope use = workspace.InUse.Enter();
            Run(input, workspace, declared: true);
            layerSeed.CopyTo(LayerBuffers(workspace, index).Signal);
            RunBackward(workspace, rule, null, index, -1);
            CopyMap(workspace, result);
        }

        void ILayerExplainer<T>.ActivationAt(string layer, ReadOnlySpan<T> input, Span<T> activation, IWorkspace workspace) =>
            ActivationAt(layer, input, activation, Own(workspace));

        void ILayerExplainer<T>.ExplainAt(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> activation, Span<T> signal, IWorkspace workspace) =>
            ExplainAt(rule, layer, input, seed, activation, signal, Own(workspace));

        void ILayerExplainer<T>.ExplainFrom(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> layerSeed, Span<T> result, IWorkspace workspace) =>
            ExplainFrom(rule, layer, input, layerSeed, result, Own(workspace));

        DenseHead<T>? IHeadedNetwork<T>.CreateHead(int capacity) =>
            HeadStart < 0 ? null : DenseHead<T>.Of(_architecture, HeadStart, _storage, capacity);

        void IHeadedNetwork<T>.ForwardTrunk(ReadOnlySpan<T> input, Span<T> headInput, IWorkspace workspace)
        {
            TWorkspace ws = Own(workspace);
            using SingleCaller.Scope use = ws.InUse.Enter();
            input.CopyTo(ws.Input);
            RunTrunk(ws);
            HeadInput(ws).Activation.CopyTo(headInput);
        }

        void IHeadedNetwork<T>.BackwardTrunk(BackwardRule rule, ReadOnlySpan<T> headSignal, Span<T> result, IWorkspace workspace)
        {
            TWorkspace ws = Own(workspace);
            using SingleCaller.Scope use = ws.InUse.Enter();
            headSignal.CopyTo(HeadInput(ws).Signal);
            RunBackward(ws, rule, null, FromHeadInput, -1);
            CopyMap(ws, result);
        }

        Network IExplainer<T>.Architecture => _architecture;

        int IExplainer<T>.InputSize => _inputSize;

        int IExplainer<T>.OutputSize => _outputSize;

        IReadOnlyList<BackwardRule> IExplainer<T>.Rules => _rules;

        IWorkspace IExplainer<T>.CreateWorkspace() => new TWorkspace();

        void IExplainer<T>.Forward(ReadOnlySpan<T> input, Span<T> output, IWorkspace workspace) => Forward(input, output, Own(workspace));

        void IExplainer<T>.Explain(BackwardRule rule, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> result, IWorkspace workspace) =>
            Explain(rule, input, seed, result, Own(workspace));

        void ITrainable<T>.AccumulateGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> seed, T[][] gradients, IWorkspace workspace) =>
            AccumulateGradients(input, seed, gradients, Own(workspace));

        // declared: the pass that follows reads layers' own outputs (training, layer methods, LRP), see RunDeclaredForward.
        private void Run(ReadOnlySpan<T> input, TWorkspace workspace, bool declared = false)
        {
            input.CopyTo(workspace.Input);
            if (declared) RunDeclaredForward(workspace);
            else RunForward(workspace);
            // A network whose weights overflow (a diverged run, a corrupt file of finite values) gives NaN or ±∞ from finite
            // inputs; its maps would be all zeros where NaN met a ReLU. Checked with the inputs' scan: a caller who turned
            // that off (CheckFinite = false) has taken non-finite values on.
            if (workspace.CheckFinite) Guard.FiniteResult<T>(workspace.Output, "the logits");
        }

        private void CheckRule(BackwardRule rule)
        {
            if (Array.IndexOf(_rules, rule) < 0)
            {
                throw new ArgumentException($"{GetType().Name} has no {rule} method; its rules are {string.Join(", ", _rules)}.", nameof(rule));
            }
        }

        // The map a backward pass left in the workspace, into result: checked finite first when the workspace checks.
        private static void CopyMap(TWorkspace workspace, Span<T> result)
        {
            if (workspace.CheckFinite) Guard.FiniteResult<T>(workspace.Map, "the map");
            workspace.Map.CopyTo(result);
        }

        private void Backward(BackwardRule rule, TWorkspace workspace, Span<T> result)
        {
            CheckRule(rule);
            RunBackward(workspace, rule, null, -1, -1);
            CopyMap(workspace, result);
        }

        // The declaration is read twice: by the generator at compile time (the parameters the generated code was written for)
        // and by running it now. They agree unless the declaration computes something from run-time state; say so plainly.
        private void CheckSameNetwork(IReadOnlyList<ParameterInfo> parameters, IReadOnlyList<ParameterShape> declared)
        {
            for (int i = 0; i < Math.Max(parameters.Count, declared.Count); i++)
            {
                string now = i < parameters.Count ? $"'{parameters[i].Name}' [{string.Join(", ", parameters[i].Dimensions)}]" : "nothing";
                string then = i < declared.Count ? $"'{declared[i].Name}' {Tensor.FormatShape(declared[i].Dimensions)}" : "nothing";
                if (i >= parameters.Count || i >= declared.Count || parameters[i].Name != declared[i].Name || !parameters[i].Dimensions.SequenceEqual(declared[i].Dimensions))
                {
                    throw new InvalidOperationException(
                        $"{GetType().Name}'s network, built now, differs from the one the generator read at compile time: parameter {i} is {now} now "
                        + $"but {then} in the generated code. Does the declaration depend on anything but constants?");
                }
            }
        }

        private T[] ImageValues(Matrix<T> input)
        {
            Shape shape = _architecture.InputShape;
            Guard.MatrixSize(input.RowCount, input.ColumnCount, shape.Height, shape.Width, nameof(input));
            return input.ToRowMajorArray();
        }

        private TWorkspace Rent() => Interlocked.Exchange(ref _spare, null) ?? new TWorkspace();

        private void Return(TWorkspace workspace) => Volatile.Write(ref _spare, workspace);

        private TWorkspace Own(IWorkspace workspace) =>
            workspace as TWorkspace ?? throw new ArgumentException(
                $"The workspace must come from new {GetType().Name}.Workspace() or CreateWorkspace(), not {workspace?.GetType().FullName ?? "null"}.", nameof(workspace));
    }
}
