using Relucent.Model;
using Relucent.Tests.Kernels;

namespace Relucent.Tests.Interpreter
{
    /// <summary>Random networks of every layer type, and random parameters for them, for the interpreter tests.</summary>
    public static class RandomNetworks
    {
        /// <summary>
        /// C-order parameters in <see cref="Network.Parameters"/> order: weights uniform with variance about
        /// 2 / fan-in (signals neither vanish nor saturate), biases small, BatchNorm γ around 1 and a running
        /// variance that is always positive.
        /// </summary>
        public static double[][] Parameters(Network network, Random rng)
        {
            var result = new double[network.Parameters.Count][];
            for (int i = 0; i < result.Length; i++)
            {
                ParameterInfo info = network.Parameters[i];
                int size = (int)info.Size;
                bool batchNorm = info.Dimensions.Count == 1 && info.Role == ParameterRole.Weight
                    || info.Role is ParameterRole.RunningMean or ParameterRole.RunningVar;
                result[i] = info.Role switch
                {
                    ParameterRole.Weight when batchNorm => Numerics.Uniform(rng, size, 0.5, 1.5),
                    ParameterRole.Weight => Numerics.Uniform(rng, size, -Bound(info), Bound(info)),
                    ParameterRole.RunningVar => Numerics.Uniform(rng, size, 0.3, 2.0),
                    _ => Numerics.Uniform(rng, size, -0.3, 0.3),
                };
            }
            return result;
        }

        private static double Bound(ParameterInfo weight)
        {
            int fanIn = 1;
            for (int d = 1; d < weight.Dimensions.Count; d++) fanIn *= weight.Dimensions[d];
            return Math.Sqrt(6.0 / fanIn);
        }

        /// <summary>A random network: an optional image part (convolutions, pools, batch norms, residual blocks...), then a vector part and a Dense head, sometimes a Softmax.</summary>
        public static Network Create(Random rng, bool relu)
        {
            Network net;
            if (rng.Next(3) > 0)
            {
                net = Net.Input(rng.Next(1, 4), rng.Next(3, 10), rng.Next(3, 10));
                int steps = rng.Next(1, 5);
                for (int s = 0; s < steps; s++) net = ImageStep(net, rng, relu);
                net = net.Flatten();
            }
            else
            {
                net = Net.Input(rng.Next(1, 10));
            }
            int vectorSteps = rng.Next(0, 4);
            for (int s = 0; s < vectorSteps; s++) net = VectorStep(net, rng, relu);
            net = net.Dense(rng.Next(1, 6));
            if (rng.Next(4) == 0) net = net.Softmax();
            return net;
        }

        public static Network Activation(Network net, Random rng, bool relu) => (relu ? rng.Next(4) : rng.Next(1, 4)) switch
        {
            0 => net.ReLU(),
            1 => net.Tanh(),
            2 => net.Sigmoid(),
            _ => relu ? net.ReLU() : net.Tanh(),
        };

        private static Network ImageStep(Network net, Random rng, bool relu)
        {
            Shape s = net.OutputShape;
            switch (rng.Next(9))
            {
                case 0:
                case 1:
                {
                    int k = rng.Next(1, 4), p = rng.Next(0, 2), stride = rng.Next(1, 3);
                    if (k > s.Height + 2 * p || k > s.Width + 2 * p) k = 1;
                    return Activation(net.Conv2D(rng.Next(1, 4), kernel: k, stride: stride, padding: p, bias: rng.Next(4) > 0), rng, relu);
                }
                case 2:
                case 3:
                {
                    int k = rng.Next(2, 4), stride = rng.Next(1, 4);
                    if (k > s.Height || k > s.Width) return Activation(net, rng, relu);
                    return rng.Next(2) == 0 ? net.MaxPool(k, stride) : net.AvgPool(k, stride);
                }
                case 4:
                    return net.BatchNorm(eps: rng.Next(2) == 0 ? 1e-5 : 1e-3);
                case 5:
                    return Activation(net, rng, relu);
                case 6:
                    return net.Dropout(0.25);
                default:
                    return net.Residual(b =>
                    {
                        Network body = b.Conv2D(s.Channels, kernel: 3, padding: 1);
                        if (rng.Next(2) == 0) body = body.BatchNorm();
                        body = Activation(body, rng, relu);
                        return rng.Next(2) == 0 ? body.Conv2D(s.Channels, kernel: 1) : body;
                    });
            }
        }

        private static Network VectorStep(Network net, Random rng, bool relu)
        {
            int n = net.OutputShape.Channels;
            return rng.Next(6) switch
            {
                0 or 1 => Activation(net.Dense(rng.Next(2, 12)), rng, relu),
                2 => net.BatchNorm(),
                3 => net.Dropout(0.5),
                4 => net.Residual(b => Activation(b.Dense(n), rng, relu).Dense(n)),
                _ => Activation(net, rng, relu),
            };
        }

        /// <summary>Hand-made families that between them hold every layer type, with random sizes.</summary>
        public static readonly IReadOnlyDictionary<string, Func<Random, Network>> Families = new Dictionary<string, Func<Random, Network>>
        {
            ["dense-relu-tanh-sigmoid"] = r => Net.Input(r.Next(3, 9)).Dense(r.Next(4, 12)).ReLU().Dense(r.Next(3, 9)).Tanh()
                .Dense(r.Next(3, 9)).Sigmoid().Dense(r.Next(2, 6)),
            ["strided-padded-conv"] = r => Net.Input(r.Next(1, 3), r.Next(7, 11), r.Next(6, 10))
                .Conv2D(r.Next(2, 4), kernel: 3, stride: 2, padding: 1).ReLU()
                .Conv2D(r.Next(2, 4), kernel: 2, stride: 2, padding: r.Next(0, 2), bias: false).Tanh().Flatten().Dense(r.Next(2, 5)),
            ["max-pool-not-dividing"] = r => Net.Input(2, 2 * r.Next(3, 5) + 1, 2 * r.Next(3, 5) + 1)
                .Conv2D(3, kernel: 2, padding: 1).ReLU().MaxPool(3, stride: 2).MaxPool(2).Flatten().Dense(r.Next(2, 5)),
            ["avg-pool-not-dividing"] = r => Net.Input(2, 2 * r.Next(3, 5) + 1, 2 * r.Next(3, 5))
                .Conv2D(3, kernel: 3, padding: 1).Sigmoid().AvgPool(2).AvgPool(2, stride: 1).Flatten().Dense(r.Next(2, 5)),
            ["batch-norm"] = r => Net.Input(3, r.Next(5, 8), r.Next(5, 8)).Conv2D(4, kernel: 3, bias: false).BatchNorm().ReLU()
                .Flatten().Dense(8).BatchNorm(eps: 1e-3).Tanh().Dense(r.Next(2, 5)),
            ["softmax-dropout"] = r => Net.Input(r.Next(3, 9)).Dense(r.Next(4, 10)).Dropout(0.5).Sigmoid().Dense(r.Next(2, 6)).Softmax(),
            ["residual-image"] = r => Net.Input(2, 6, r.Next(5, 8)).Conv2D(3, kernel: 3, padding: 1)
                .Residual(b => b.Conv2D(3, kernel: 3, padding: 1).BatchNorm().ReLU().Conv2D(3, kernel: 1))
                .ReLU().MaxPool(2).Flatten().Dense(r.Next(2, 5)),
            ["nested-residual-vector"] = r => Net.Input(6)
                .Residual(b => b.Dense(6).Tanh().Residual(c => c.Dense(6).ReLU().Dense(6)), name: "block")
                .Residual(b => b.Dropout(0.2)).Residual(b => b).Dense(r.Next(2, 5)),
        };
    }
}
