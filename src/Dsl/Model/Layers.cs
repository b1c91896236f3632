namespace Relucent.Model
{
    /// <summary>
    /// One layer of a declared network: immutable, value-equal data read by the generator at compile
    /// time and by the interpreter at run time. The concrete records below are the whole vocabulary.
    /// </summary>
    public abstract record Layer
    {
        private protected Layer()
        {
        }

        /// <summary>The name given with <c>name:</c>, which replaces the layer's index in parameter names.</summary>
        public string? Name { get; init; }

        /// <summary>The DSL call that declares this layer, with its arguments: <c>Dense(16)</c>.</summary>
        public abstract string Describe();
    }

    /// <summary><c>.Dense(units)</c>: <c>y = W·x + b</c>, PyTorch <c>nn.Linear</c>.</summary>
    public sealed record DenseLayer(int Units) : Layer
    {
        /// <inheritdoc />
        public override string Describe() => $"Dense({Units})";
    }

    /// <summary><c>.ReLU()</c>: <c>z = max(x, 0)</c>; the only layer whose backward the rules change.</summary>
    public sealed record ReLULayer : Layer
    {
        /// <inheritdoc />
        public override string Describe() => "ReLU()";
    }

    /// <summary><c>.Tanh()</c>: <c>z = tanh(x)</c>.</summary>
    public sealed record TanhLayer : Layer
    {
        /// <inheritdoc />
        public override string Describe() => "Tanh()";
    }

    /// <summary><c>.Sigmoid()</c>: <c>z = 1 / (1 + e^-x)</c>.</summary>
    public sealed record SigmoidLayer : Layer
    {
        /// <inheritdoc />
        public override string Describe() => "Sigmoid()";
    }

    /// <summary><c>.Flatten()</c>: an image read as a vector in C·H·W order, PyTorch <c>nn.Flatten</c>.</summary>
    public sealed record FlattenLayer : Layer
    {
        /// <inheritdoc />
        public override string Describe() => "Flatten()";
    }

    /// <summary><c>.Softmax()</c>: <c>s = e^x / Σ e^x</c> over the features, PyTorch <c>nn.Softmax(dim=1)</c>.</summary>
    public sealed record SoftmaxLayer : Layer
    {
        /// <inheritdoc />
        public override string Describe() => "Softmax()";
    }

    /// <summary><c>.Dropout(p)</c>: the identity, as PyTorch's <c>nn.Dropout</c> in eval mode.</summary>
    public sealed record DropoutLayer(double P) : Layer
    {
        /// <inheritdoc />
        public override string Describe() => $"Dropout({Format.Number(P)})";
    }

    /// <summary><c>.Conv2D(filters, kernel, stride, padding, bias)</c>: PyTorch <c>nn.Conv2d</c>, square kernel, zero padding.</summary>
    public sealed record Conv2DLayer(int Filters, int Kernel, int Stride, int Padding, bool Bias) : Layer
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Conv2D({Filters}, kernel: {Kernel}"
            + (Stride != 1 ? $", stride: {Stride}" : "")
            + (Padding != 0 ? $", padding: {Padding}" : "")
            + (Bias ? "" : ", bias: false")
            + ")";
    }

    /// <summary><c>.MaxPool(kernel, stride)</c>: PyTorch <c>nn.MaxPool2d</c>; the backward routes through the forward switches.</summary>
    public sealed record MaxPoolLayer(int Kernel, int Stride) : Layer
    {
        /// <inheritdoc />
        public override string Describe() => Stride == Kernel ? $"MaxPool({Kernel})" : $"MaxPool({Kernel}, stride: {Stride})";
    }

    /// <summary><c>.AvgPool(kernel, stride)</c>: PyTorch <c>nn.AvgPool2d</c> without padding.</summary>
    public sealed record AvgPoolLayer(int Kernel, int Stride) : Layer
    {
        /// <inheritdoc />
        public override string Describe() => Stride == Kernel ? $"AvgPool({Kernel})" : $"AvgPool({Kernel}, stride: {Stride})";
    }

    /// <summary><c>.BatchNorm(eps)</c>: PyTorch <c>nn.BatchNorm2d</c> (or 1d on vectors) in eval mode, a per-channel affine map.</summary>
    public sealed record BatchNormLayer(double Eps) : Layer
    {
        /// <inheritdoc />
        public override string Describe() => Eps == 1e-5 ? "BatchNorm()" : $"BatchNorm(eps: {Format.Number(Eps)})";
    }

    /// <summary><c>.Residual(b =&gt; ...)</c>: <c>y = f(x) + x</c>, where <c>f</c> is the branch <see cref="Body"/>.</summary>
    public sealed record ResidualLayer(EquatableArray<Layer> Body) : Layer
    {
        /// <inheritdoc />
        public override string Describe() => $"Residual({Body.Count} layers)";
    }
}
