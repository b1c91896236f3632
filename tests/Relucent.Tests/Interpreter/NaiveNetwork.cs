using Relucent.Model;
using Relucent.Tests.Kernels;

namespace Relucent.Tests.Interpreter
{
    /// <summary>
    /// A second, independent interpreter in double built only from <see cref="Naive"/>'s loops and C-order
    /// parameters: forward, and backward under each rule straight from the rules' definitions.
    /// </summary>
    public sealed class NaiveNetwork
    {
        private readonly Network _network;
        private readonly Dictionary<string, double[]> _parameters = new();

        public NaiveNetwork(Network network, IReadOnlyList<double[]> parameters)
        {
            _network = network;
            for (int i = 0; i < parameters.Count; i++)
            {
                ParameterInfo info = network.Parameters[i];
                _parameters.Add(Key(info.Path, info.Role), parameters[i]);
            }
        }

        private static string Key(IEnumerable<int> path, ParameterRole role) => string.Join(".", path) + ":" + role;

        private double[] P(int[] path, ParameterRole role) => _parameters[Key(path, role)];

        private sealed record Step(Layer Layer, Shape Input, int[] Path, double[] X, double[] Y, List<Step>? Body);

        public double[] Forward(double[] input) => Run(_network.InputShape, _network.Layers, Array.Empty<int>(), input, new List<Step>());

        public double[] Backward(double[] input, double[] seed, BackwardRule rule)
        {
            var steps = new List<Step>();
            Run(_network.InputShape, _network.Layers, Array.Empty<int>(), input, steps);
            return Back(steps, seed, rule);
        }

        private double[] Run(Shape shape, IReadOnlyList<Layer> layers, int[] prefix, double[] x, List<Step> steps)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                int[] path = prefix.Append(i).ToArray();
                Layer layer = layers[i];
                List<Step>? body = null;
                double[] y;
                switch (layer)
                {
                    case DenseLayer d:
                        y = Naive.Dense(x, P(path, ParameterRole.Weight), P(path, ParameterRole.Bias), x.Length, d.Units);
                        break;
                    case Conv2DLayer c:
                        y = Naive.Conv2D(x, shape.Channels, shape.Height, shape.Width, P(path, ParameterRole.Weight),
                            c.Bias ? P(path, ParameterRole.Bias) : null, c.Filters, c.Kernel, c.Stride, c.Padding.Top);
                        break;
                    case ReLULayer:
                        y = Naive.Relu(x);
                        break;
                    case TanhLayer:
                        y = Naive.Tanh(x);
                        break;
                    case SigmoidLayer:
                        y = Naive.Sigmoid(x);
                        break;
                    case SoftmaxLayer:
                        y = Naive.Softmax(x);
                        break;
                    case FlattenLayer:
                    case DropoutLayer:
                        y = (double[])x.Clone();
                        break;
                    case MaxPoolLayer m:
                        y = Naive.MaxPool(x, shape.Channels, shape.Height, shape.Width, m.Kernel, m.Stride, out _);
                        break;
                    case AvgPoolLayer a:
                        y = Naive.AvgPool(x, shape.Channels, shape.Height, shape.Width, a.Kernel, a.Stride);
                        break;
                    case BatchNormLayer b:
                        y = Naive.BatchNorm(x, P(path, ParameterRole.Weight), P(path, ParameterRole.Bias), P(path, ParameterRole.RunningMean),
                            P(path, ParameterRole.RunningVar), b.Eps, shape.IsImage ? shape.Height * shape.Width : 1);
                        break;
                    case ResidualLayer r:
                        body = new List<Step>();
                        double[] branch = Run(shape, r.Body, path.Append(0).ToArray(), x, body); // the branch is chain 0 of its block
                        y = branch.Select((v, j) => v + x[j]).ToArray();
                        break;
                    default:
                        throw new NotSupportedException(layer.Describe());
                }
                steps.Add(new Step(layer, shape, path, x, y, body));
                ShapeRules.Check(layer, shape, path, out shape);
                x = y;
            }
            return x;
        }

        private double[] Back(List<Step> steps, double[] r, BackwardRule rule)
        {
            for (int i = steps.Count - 1; i >= 0; i--)
            {
                Step s = steps[i];
                Shape shape = s.Input;
                int[] path = s.Path;
                r = s.Layer switch
                {
                    DenseLayer d => Naive.DenseBackward(r, P(path, ParameterRole.Weight), s.X.Length, d.Units),
                    Conv2DLayer c => Naive.Conv2DBackward(r, shape.Channels, shape.Height, shape.Width, P(path, ParameterRole.Weight), c.Filters, c.Kernel, c.Stride, c.Padding.Top),
                    ReLULayer => Naive.ReluBackward(s.X, r, rule),
                    TanhLayer => Naive.TanhBackward(s.X, r),
                    SigmoidLayer => Naive.SigmoidBackward(s.X, r),
                    SoftmaxLayer => Naive.SoftmaxBackward(s.X, r),
                    FlattenLayer or DropoutLayer => (double[])r.Clone(),
                    MaxPoolLayer m => MaxBack(s, m, r),
                    AvgPoolLayer a => Naive.AvgPoolBackward(r, shape.Channels, shape.Height, shape.Width, a.Kernel, a.Stride),
                    BatchNormLayer b => Naive.BatchNormBackward(r, P(path, ParameterRole.Weight), P(path, ParameterRole.RunningVar), b.Eps, shape.IsImage ? shape.Height * shape.Width : 1),
                    ResidualLayer => Residual(s, r, rule),
                    _ => throw new NotSupportedException(s.Layer.Describe()),
                };
            }
            return r;
        }

        private static double[] MaxBack(Step s, MaxPoolLayer m, double[] r)
        {
            Naive.MaxPool(s.X, s.Input.Channels, s.Input.Height, s.Input.Width, m.Kernel, m.Stride, out int[] argmax);
            return Naive.MaxPoolBackward(r, argmax, s.X.Length);
        }

        private double[] Residual(Step s, double[] r, BackwardRule rule)
        {
            double[] branch = Back(s.Body!, r, rule);
            return branch.Select((v, j) => v + r[j]).ToArray();
        }
    }
}
