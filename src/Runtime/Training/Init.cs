namespace Relucent.Training
{
    /// <summary>Initial parameters for training, as named tensors a generated class's <c>FromTensors</c> takes.</summary>
    public static class Init
    {
        /// <summary>
        /// PyTorch's default initialisation of <c>nn.Linear</c>, <c>nn.Conv2d</c> and <c>nn.BatchNorm2d</c>, for the parameters
        /// <paramref name="shapes"/> (a generated class's <c>ParameterShapes</c>), drawn from <c>new Random(seed)</c>:
        /// <c>MyNet.FromTensors(Init.PyTorchDefault(MyNet.ParameterShapes, seed: 0))</c>.
        /// </summary>
        /// <remarks>
        /// <list type="bullet">
        /// <item>A <c>….weight</c> of two or more dimensions (Dense <c>[out, in]</c>, Conv2D <c>[out, in, k, k]</c>): Kaiming-uniform
        /// with <c>a = √5</c>, i.e. <c>U(−1/√fan_in, 1/√fan_in)</c>, fan_in = the product of the dimensions after the first.</item>
        /// <item>Its <c>….bias</c>: <c>U(−1/√fan_in, 1/√fan_in)</c> with the weight's fan_in.</item>
        /// <item>BatchNorm (a one-dimensional <c>….weight</c>): γ = 1, its <c>….bias</c> β = 0, <c>running_mean</c> 0,
        /// <c>running_var</c> 1.</item>
        /// </list>
        /// Values are drawn in the order of <paramref name="shapes"/>, each tensor in C order, as
        /// <c>bound · (2u − 1)</c> from <see cref="Random.NextDouble"/>, so a seed gives the same tensors on every machine.
        /// <paramref name="dtype"/> is F32 (PyTorch's default, and what float32 networks hold) or F64.
        /// </remarks>
        /// <exception cref="ArgumentException">A name is not <c>….weight</c>, <c>….bias</c>, <c>….running_mean</c> or <c>….running_var</c>, or a bias has no weight.</exception>
        public static Dictionary<string, Tensor> PyTorchDefault(IReadOnlyList<ParameterShape> shapes, int seed, DType dtype = DType.F32) =>
            Initialise(shapes, seed, dtype, Bound);

        /// <summary>
        /// Kaiming-uniform (He et al. 2015) weights for the leaky-ReLU slope <paramref name="a"/> (0: ReLU), as PyTorch's
        /// <c>nn.init.kaiming_uniform_(w, a)</c>: <c>U(−b, b)</c> with <c>b = √(6 / ((1 + a²)·fan_in))</c>; everything else as
        /// <see cref="PyTorchDefault"/> (biases <c>U(−1/√fan_in, 1/√fan_in)</c>, BatchNorm the identity), drawn in the same order.
        /// </summary>
        /// <remarks>
        /// <see cref="PyTorchDefault"/> is this rule with <c>a = √5</c>, which shrinks the signal by about √3 per layer; with
        /// <c>a = 0</c> (the ReLU gain √2) the signal keeps its scale through ReLU layers, and deeper networks leave the
        /// plateau of their first epochs sooner.
        /// </remarks>
        public static Dictionary<string, Tensor> KaimingUniform(IReadOnlyList<ParameterShape> shapes, int seed, double a = 0, DType dtype = DType.F32)
        {
            if (!(a >= 0) || double.IsInfinity(a)) throw new ArgumentOutOfRangeException(nameof(a), a, "The negative slope a is finite and 0 or more.");
            return Initialise(shapes, seed, dtype, weight => Math.Sqrt(6 / ((1 + a * a) * FanIn(weight))));
        }

        private static Dictionary<string, Tensor> Initialise(IReadOnlyList<ParameterShape> shapes, int seed, DType dtype, Func<ParameterShape, double> weightBound)
        {
            ArgumentNullException.ThrowIfNull(shapes);
            if (dtype is not (DType.F32 or DType.F64)) throw new ArgumentException($"Initial parameters are F32 or F64, not {dtype}.", nameof(dtype));
            var byName = new Dictionary<string, ParameterShape>(StringComparer.Ordinal);
            foreach (ParameterShape shape in shapes)
            {
                ArgumentNullException.ThrowIfNull(shape, nameof(shapes));
                if (!byName.TryAdd(shape.Name, shape)) throw new ArgumentException($"The parameter \"{shape.Name}\" is listed twice.", nameof(shapes));
            }

            var random = new Random(seed);
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (ParameterShape shape in shapes)
            {
                (string layer, string role) = Split(shape.Name);
                var values = new double[shape.ElementCount];
                switch (role)
                {
                    case "weight" when shape.Dimensions.Length >= 2:
                        Uniform(values, weightBound(shape), random);
                        break;
                    case "weight":
                    case "running_var":
                        values.AsSpan().Fill(1);
                        break;
                    case "running_mean":
                        break;
                    case "bias":
                        if (!byName.TryGetValue(layer + ".weight", out ParameterShape? weight))
                        {
                            throw new ArgumentException($"The bias \"{shape.Name}\" has no weight \"{layer}.weight\" to take its fan_in from.", nameof(shapes));
                        }

                        if (weight.Dimensions.Length >= 2) Uniform(values, Bound(weight), random);
                        break;
                    default:
                        throw new ArgumentException(
                            $"\"{shape.Name}\" is not a weight, bias, running_mean or running_var: PyTorch's default initialisation is not defined for it.", nameof(shapes));
                }

                tensors[shape.Name] = dtype == DType.F64
                    ? Tensor.FromDouble(values, shape.Dimensions)
                    : Tensor.FromSingle(Array.ConvertAll(values, v => (float)v), shape.Dimensions);
            }

            return tensors;
        }

        /// <summary><c>1/√fan_in</c> of a weight: PyTorch's default bound for its values and its layer's bias.</summary>
        public static double Bound(ParameterShape weight) => 1 / Math.Sqrt(FanIn(weight));

        /// <summary>The fan_in of a weight: the product of its dimensions after the first (inputs × kernel area for Conv2D).</summary>
        public static long FanIn(ParameterShape weight)
        {
            ArgumentNullException.ThrowIfNull(weight);
            long fanIn = 1;
            for (int d = 1; d < weight.Dimensions.Length; d++) fanIn *= weight.Dimensions[d];
            if (fanIn <= 0 || weight.Dimensions.Length < 2) throw new ArgumentException($"{weight} has no fan_in: a weight has two or more dimensions.", nameof(weight));
            return fanIn;
        }

        private static void Uniform(double[] values, double bound, Random random)
        {
            for (int i = 0; i < values.Length; i++) values[i] = bound * (2 * random.NextDouble() - 1);
        }

        private static (string Layer, string Role) Split(string name)
        {
            int dot = name.LastIndexOf('.');
            return dot < 0 ? ("", name) : (name[..dot], name[(dot + 1)..]);
        }
    }
}
