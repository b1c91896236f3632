using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Relucent.Model;

namespace Relucent.Benchmarks;

/// <summary>
/// The baseline: the same network walked layer by layer as the interpreter walks it, with the dense and convolution
/// arithmetic done by MathNet's managed matrix product (convolution as im2col, then <c>W · col</c>; its input
/// gradient as <c>Wᵀ · dY</c>, then col2im). Buffers are allocated once, so the comparison is about the arithmetic.
/// Handles the layers of the benchmark networks: Conv2D, Dense, ReLU, MaxPool, Flatten.
/// </summary>
public sealed class MathNetReference
{
    private readonly Network _network;
    private readonly Step[] _steps;
    private readonly float[][] _activations;
    private readonly float[][] _signals;

    static MathNetReference() => Control.UseManaged();

    public MathNetReference(Network network, IReadOnlyDictionary<string, Tensor> tensors)
    {
        _network = network;
        var parameters = network.Parameters.ToDictionary(p => p.Name, p => tensors[p.Name].ToSingle());
        _steps = new Step[network.Layers.Count];
        _activations = new float[network.Layers.Count + 1][];
        _signals = new float[network.Layers.Count + 1][];
        Shape input = network.InputShape;
        _activations[0] = new float[input.Size];
        _signals[0] = new float[input.Size];
        for (int i = 0; i < network.Layers.Count; i++)
        {
            Shape output = network.LayerOutputShapes[i];
            Layer layer = network.Layers[i];
            string prefix = layer.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _steps[i] = layer switch
            {
                Conv2DLayer conv => new ConvStep(input, output, conv, parameters[prefix + ".weight"], conv.Bias ? parameters[prefix + ".bias"] : null),
                DenseLayer dense => new DenseStep((int)input.Size, dense.Units, parameters[prefix + ".weight"], parameters[prefix + ".bias"]),
                ReLULayer => new ReluStep(),
                MaxPoolLayer pool => new MaxPoolStep(input, output, pool.Kernel, pool.Stride),
                FlattenLayer => new FlattenStep(),
                _ => throw new NotSupportedException(layer.Describe()),
            };
            _activations[i + 1] = new float[output.Size];
            _signals[i + 1] = new float[output.Size];
            input = output;
        }
    }

    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        RunForward(input);
        _activations[^1].CopyTo(output);
    }

    public void Explain(BackwardRule rule, ReadOnlySpan<float> input, int target, Span<float> result)
    {
        RunForward(input);
        Array.Clear(_signals[^1]);
        _signals[^1][target] = 1;
        for (int i = _steps.Length - 1; i >= 0; i--) _steps[i].Backward(_activations[i], _activations[i + 1], _signals[i + 1], _signals[i], rule);
        _signals[0].CopyTo(result);
    }

    private void RunForward(ReadOnlySpan<float> input)
    {
        input.CopyTo(_activations[0]);
        for (int i = 0; i < _steps.Length; i++) _steps[i].Forward(_activations[i], _activations[i + 1]);
    }

    private abstract class Step
    {
        public abstract void Forward(float[] x, float[] y);

        public abstract void Backward(float[] x, float[] y, float[] r, float[] rIn, BackwardRule rule);
    }

    private sealed class DenseStep : Step
    {
        private readonly Matrix<float> _w;
        private readonly Vector<float> _b;
        private readonly Vector<float> _x, _y, _r, _rIn;

        public DenseStep(int inputs, int outputs, float[] weight, float[] bias)
        {
            _w = Matrix<float>.Build.DenseOfRowMajor(outputs, inputs, weight);
            _b = Vector<float>.Build.DenseOfArray(bias);
            _x = Vector<float>.Build.Dense(inputs);
            _y = Vector<float>.Build.Dense(outputs);
            _r = Vector<float>.Build.Dense(outputs);
            _rIn = Vector<float>.Build.Dense(inputs);
        }

        public override void Forward(float[] x, float[] y)
        {
            _x.SetValues(x);
            _w.Multiply(_x, _y);
            _y.Add(_b, _y);
            Array.Copy(_y.AsArray()!, y, y.Length);
        }

        public override void Backward(float[] x, float[] y, float[] r, float[] rIn, BackwardRule rule)
        {
            _r.SetValues(r);
            _w.TransposeThisAndMultiply(_r, _rIn);
            _rIn.AsArray().CopyTo(rIn, 0);
        }
    }

    private sealed class ConvStep : Step
    {
        private readonly int _c, _h, _w, _f, _k, _s, _p, _oh, _ow;
        private readonly Matrix<float> _weight; // [F, C·k·k]
        private readonly float[]? _bias;
        private readonly Matrix<float> _col;    // [C·k·k, OH·OW]
        private readonly Matrix<float> _out;    // [F, OH·OW]

        public ConvStep(Shape input, Shape output, Conv2DLayer conv, float[] weight, float[]? bias)
        {
            (_c, _h, _w, _f, _k, _s, _p, _oh, _ow) = (input.Channels, input.Height, input.Width, conv.Filters, conv.Kernel, conv.Stride, conv.Padding.Top, output.Height, output.Width);
            _weight = Matrix<float>.Build.DenseOfRowMajor(_f, _c * _k * _k, weight);
            _bias = bias;
            _col = Matrix<float>.Build.Dense(_c * _k * _k, _oh * _ow);
            _out = Matrix<float>.Build.Dense(_f, _oh * _ow);
        }

        public override void Forward(float[] x, float[] y)
        {
            float[] col = _col.AsColumnMajorArray()!;
            int taps = _c * _k * _k;
            for (int c = 0; c < _c; c++)
                for (int ky = 0; ky < _k; ky++)
                    for (int kx = 0; kx < _k; kx++)
                    {
                        int t = (c * _k + ky) * _k + kx;
                        for (int oy = 0; oy < _oh; oy++)
                        {
                            int iy = oy * _s - _p + ky;
                            for (int ox = 0; ox < _ow; ox++)
                            {
                                int ix = ox * _s - _p + kx;
                                col[(oy * _ow + ox) * taps + t] = (uint)iy < (uint)_h && (uint)ix < (uint)_w ? x[(c * _h + iy) * _w + ix] : 0;
                            }
                        }
                    }
            _weight.Multiply(_col, _out);
            float[] o = _out.AsColumnMajorArray()!;
            int plane = _oh * _ow;
            for (int f = 0; f < _f; f++)
                for (int q = 0; q < plane; q++) y[f * plane + q] = o[q * _f + f] + (_bias?[f] ?? 0);
        }

        public override void Backward(float[] x, float[] y, float[] r, float[] rIn, BackwardRule rule)
        {
            float[] o = _out.AsColumnMajorArray()!;
            int plane = _oh * _ow;
            for (int f = 0; f < _f; f++)
                for (int q = 0; q < plane; q++) o[q * _f + f] = r[f * plane + q];
            _weight.TransposeThisAndMultiply(_out, _col);
            float[] col = _col.AsColumnMajorArray()!;
            Array.Clear(rIn);
            int taps = _c * _k * _k;
            for (int c = 0; c < _c; c++)
                for (int ky = 0; ky < _k; ky++)
                    for (int kx = 0; kx < _k; kx++)
                    {
                        int t = (c * _k + ky) * _k + kx;
                        for (int oy = 0; oy < _oh; oy++)
                        {
                            int iy = oy * _s - _p + ky;
                            if ((uint)iy >= (uint)_h) continue;
                            for (int ox = 0; ox < _ow; ox++)
                            {
                                int ix = ox * _s - _p + kx;
                                if ((uint)ix < (uint)_w) rIn[(c * _h + iy) * _w + ix] += col[(oy * _ow + ox) * taps + t];
                            }
                        }
                    }
        }
    }

    private sealed class ReluStep : Step
    {
        public override void Forward(float[] x, float[] y)
        {
            for (int i = 0; i < x.Length; i++) y[i] = Math.Max(x[i], 0);
        }

        public override void Backward(float[] x, float[] y, float[] r, float[] rIn, BackwardRule rule)
        {
            for (int i = 0; i < r.Length; i++)
            {
                rIn[i] = rule switch
                {
                    BackwardRule.Saliency => y[i] > 0 ? r[i] : 0,
                    BackwardRule.DeconvNet => r[i] > 0 ? r[i] : 0,
                    _ => y[i] > 0 && r[i] > 0 ? r[i] : 0,
                };
            }
        }
    }

    private sealed class MaxPoolStep : Step
    {
        private readonly int _c, _h, _w, _k, _s, _oh, _ow;
        private readonly int[] _switches;

        public MaxPoolStep(Shape input, Shape output, int kernel, int stride)
        {
            (_c, _h, _w, _k, _s, _oh, _ow) = (input.Channels, input.Height, input.Width, kernel, stride, output.Height, output.Width);
            _switches = new int[output.Size];
        }

        public override void Forward(float[] x, float[] y)
        {
            int o = 0;
            for (int c = 0; c < _c; c++)
                for (int oy = 0; oy < _oh; oy++)
                    for (int ox = 0; ox < _ow; ox++, o++)
                    {
                        int best = (c * _h + oy * _s) * _w + ox * _s;
                        for (int ky = 0; ky < _k; ky++)
                            for (int kx = 0; kx < _k; kx++)
                            {
                                int i = (c * _h + oy * _s + ky) * _w + ox * _s + kx;
                                if (x[i] > x[best]) best = i;
                            }
                        y[o] = x[best];
                        _switches[o] = best;
                    }
        }

        public override void Backward(float[] x, float[] y, float[] r, float[] rIn, BackwardRule rule)
        {
            Array.Clear(rIn);
            for (int o = 0; o < r.Length; o++) rIn[_switches[o]] += r[o];
        }
    }

    private sealed class FlattenStep : Step
    {
        public override void Forward(float[] x, float[] y) => x.CopyTo(y, 0);

        public override void Backward(float[] x, float[] y, float[] r, float[] rIn, BackwardRule rule) => r.CopyTo(rIn, 0);
    }
}
