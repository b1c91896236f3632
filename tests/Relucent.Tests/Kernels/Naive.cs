namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Obviously-correct reference implementations, in double, indexing PyTorch's C-order layouts directly:
    /// one loop per formula, no layout tricks, no range precomputation. The kernels are checked against these.
    /// </summary>
    public static class Naive
    {
        /// <summary><c>y[o] = b[o] + Σ_i W[o, i] x[i]</c>, W C-order <c>[outputs, inputs]</c>; <paramref name="bias"/> may be null.</summary>
        public static double[] Dense(double[] x, double[] weight, double[]? bias, int inputs, int outputs)
        {
            var y = new double[outputs];
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias?[o] ?? 0.0;
                for (int i = 0; i < inputs; i++) sum += weight[o * inputs + i] * x[i];
                y[o] = sum;
            }
            return y;
        }

        /// <summary><c>dx[i] = Σ_o W[o, i] dy[o]</c>.</summary>
        public static double[] DenseBackward(double[] dy, double[] weight, int inputs, int outputs)
        {
            var dx = new double[inputs];
            for (int i = 0; i < inputs; i++)
            {
                double sum = 0;
                for (int o = 0; o < outputs; o++) sum += weight[o * inputs + i] * dy[o];
                dx[i] = sum;
            }
            return dx;
        }

        public static int ConvOut(int size, int kernel, int stride, int padding) => (size + 2 * padding - kernel) / stride + 1;

        /// <summary>Direct-index cross-correlation with zero padding, W C-order <c>[F, C, k, k]</c>.</summary>
        public static double[] Conv2D(double[] x, int channels, int height, int width, double[] weight, double[]? bias, int filters, int kernel, int stride, int padding)
        {
            int oh = ConvOut(height, kernel, stride, padding), ow = ConvOut(width, kernel, stride, padding);
            var y = new double[filters * oh * ow];
            for (int f = 0; f < filters; f++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = bias?[f] ?? 0.0;
                        for (int c = 0; c < channels; c++)
                        {
                            for (int ky = 0; ky < kernel; ky++)
                            {
                                for (int kx = 0; kx < kernel; kx++)
                                {
                                    int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                    if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                                    sum += weight[((f * channels + c) * kernel + ky) * kernel + kx] * x[(c * height + iy) * width + ix];
                                }
                            }
                        }
                        y[(f * oh + oy) * ow + ox] = sum;
                    }
                }
            }
            return y;
        }

        /// <summary>The input gradient of <see cref="Conv2D"/>, gathered per input position over every output that used it.</summary>
        public static double[] Conv2DBackward(double[] dy, int channels, int height, int width, double[] weight, int filters, int kernel, int stride, int padding)
        {
            int oh = ConvOut(height, kernel, stride, padding), ow = ConvOut(width, kernel, stride, padding);
            var dx = new double[channels * height * width];
            for (int c = 0; c < channels; c++)
            {
                for (int iy = 0; iy < height; iy++)
                {
                    for (int ix = 0; ix < width; ix++)
                    {
                        double sum = 0;
                        for (int f = 0; f < filters; f++)
                        {
                            for (int oy = 0; oy < oh; oy++)
                            {
                                for (int ox = 0; ox < ow; ox++)
                                {
                                    int ky = iy - (oy * stride - padding), kx = ix - (ox * stride - padding);
                                    if (ky < 0 || ky >= kernel || kx < 0 || kx >= kernel) continue;
                                    sum += weight[((f * channels + c) * kernel + ky) * kernel + kx] * dy[(f * oh + oy) * ow + ox];
                                }
                            }
                        }
                        dx[(c * height + iy) * width + ix] = sum;
                    }
                }
            }
            return dx;
        }

        /// <summary>
        /// The parameter gradients of <see cref="Conv2D"/>: <c>∂W[f, c, ky, kx] = Σ_{oy,ox} dy[f, oy, ox] · x[c, oy·s − p + ky, ox·s − p + kx]</c>
        /// (C-order <c>[F, C, k, k]</c>) and <c>∂b[f] = Σ_{oy,ox} dy[f, oy, ox]</c>, one sum per element over the output positions.
        /// </summary>
        public static (double[] Weight, double[] Bias) Conv2DParameterGradients(double[] x, double[] dy, int channels, int height, int width, int filters, int kernel, int stride, int padding)
        {
            int oh = ConvOut(height, kernel, stride, padding), ow = ConvOut(width, kernel, stride, padding);
            var weight = new double[filters * channels * kernel * kernel];
            var bias = new double[filters];
            for (int f = 0; f < filters; f++)
            {
                for (int c = 0; c < channels; c++)
                {
                    for (int ky = 0; ky < kernel; ky++)
                    {
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            double sum = 0;
                            for (int oy = 0; oy < oh; oy++)
                            {
                                for (int ox = 0; ox < ow; ox++)
                                {
                                    int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                    if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                                    sum += dy[(f * oh + oy) * ow + ox] * x[(c * height + iy) * width + ix];
                                }
                            }
                            weight[((f * channels + c) * kernel + ky) * kernel + kx] = sum;
                        }
                    }
                }
                for (int q = 0; q < oh * ow; q++) bias[f] += dy[f * oh * ow + q];
            }
            return (weight, bias);
        }

        public static int PoolOut(int size, int kernel, int stride) => (size - kernel) / stride + 1;

        /// <summary>Max pooling; <paramref name="argmax"/> is the flat input index of the first maximum in row-major window order.</summary>
        public static double[] MaxPool(double[] x, int channels, int height, int width, int kernel, int stride, out int[] argmax)
        {
            int oh = PoolOut(height, kernel, stride), ow = PoolOut(width, kernel, stride);
            var y = new double[channels * oh * ow];
            argmax = new int[y.Length];
            for (int c = 0; c < channels; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double best = double.NegativeInfinity;
                        int at = -1;
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            for (int kx = 0; kx < kernel; kx++)
                            {
                                int index = (c * height + oy * stride + ky) * width + ox * stride + kx;
                                if (at < 0 || x[index] > best)
                                {
                                    best = x[index];
                                    at = index;
                                }
                            }
                        }
                        int o = (c * oh + oy) * ow + ox;
                        y[o] = best;
                        argmax[o] = at;
                    }
                }
            }
            return y;
        }

        public static double[] MaxPoolBackward(double[] dy, int[] argmax, int inputSize)
        {
            var dx = new double[inputSize];
            for (int o = 0; o < dy.Length; o++) dx[argmax[o]] += dy[o];
            return dx;
        }

        public static double[] AvgPool(double[] x, int channels, int height, int width, int kernel, int stride)
        {
            int oh = PoolOut(height, kernel, stride), ow = PoolOut(width, kernel, stride);
            var y = new double[channels * oh * ow];
            for (int c = 0; c < channels; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = 0;
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            for (int kx = 0; kx < kernel; kx++) sum += x[(c * height + oy * stride + ky) * width + ox * stride + kx];
                        }
                        y[(c * oh + oy) * ow + ox] = sum / (kernel * kernel);
                    }
                }
            }
            return y;
        }

        /// <summary>For each input position, the sum of <c>dy / k²</c> over the windows that contain it.</summary>
        public static double[] AvgPoolBackward(double[] dy, int channels, int height, int width, int kernel, int stride)
        {
            int oh = PoolOut(height, kernel, stride), ow = PoolOut(width, kernel, stride);
            var dx = new double[channels * height * width];
            for (int c = 0; c < channels; c++)
            {
                for (int iy = 0; iy < height; iy++)
                {
                    for (int ix = 0; ix < width; ix++)
                    {
                        double sum = 0;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            for (int ox = 0; ox < ow; ox++)
                            {
                                bool inside = iy >= oy * stride && iy < oy * stride + kernel && ix >= ox * stride && ix < ox * stride + kernel;
                                if (inside) sum += dy[(c * oh + oy) * ow + ox] / (kernel * kernel);
                            }
                        }
                        dx[(c * height + iy) * width + ix] = sum;
                    }
                }
            }
            return dx;
        }

        /// <summary>Eval-mode batch norm straight from its definition: <c>(x − mean) / √(var + eps) · γ + β</c>.</summary>
        public static double[] BatchNorm(double[] x, double[] gamma, double[] beta, double[] mean, double[] variance, double eps, int plane)
        {
            var y = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                int c = i / plane;
                y[i] = (x[i] - mean[c]) / Math.Sqrt(variance[c] + eps) * gamma[c] + beta[c];
            }
            return y;
        }

        public static double[] BatchNormBackward(double[] dy, double[] gamma, double[] variance, double eps, int plane)
        {
            var dx = new double[dy.Length];
            for (int i = 0; i < dy.Length; i++)
            {
                int c = i / plane;
                dx[i] = dy[i] * gamma[c] / Math.Sqrt(variance[c] + eps);
            }
            return dx;
        }

        public static double[] Map(double[] x, Func<double, double> f) => x.Select(f).ToArray();

        public static double[] Relu(double[] x) => Map(x, v => v > 0 ? v : 0.0);

        public static double[] Tanh(double[] x) => Map(x, Math.Tanh);

        public static double[] Sigmoid(double[] x) => Map(x, v => 1.0 / (1.0 + Math.Exp(-v)));

        /// <summary>Derivative of tanh from the pre-activation: <c>1 / cosh² x</c>.</summary>
        public static double[] TanhBackward(double[] x, double[] dy) =>
            x.Select((v, i) => dy[i] / (Math.Cosh(v) * Math.Cosh(v))).ToArray();

        /// <summary>Derivative of the logistic function from the pre-activation: <c>e^-x / (1 + e^-x)²</c>.</summary>
        public static double[] SigmoidBackward(double[] x, double[] dy) =>
            x.Select((v, i) => dy[i] * Math.Exp(-v) / ((1 + Math.Exp(-v)) * (1 + Math.Exp(-v)))).ToArray();

        /// <summary>Softmax, shifted by the maximum so large inputs do not overflow.</summary>
        public static double[] Softmax(double[] x)
        {
            double max = x.Max();
            double[] e = x.Select(v => Math.Exp(v - max)).ToArray();
            double sum = e.Sum();
            return e.Select(v => v / sum).ToArray();
        }

        /// <summary>The full Jacobian product <c>dx[j] = Σ_i ∂s_i/∂x_j · dy[i]</c> with <c>∂s_i/∂x_j = s_i (δ_ij − s_j)</c>.</summary>
        public static double[] SoftmaxBackward(double[] x, double[] dy)
        {
            double[] s = Softmax(x);
            var dx = new double[x.Length];
            for (int j = 0; j < x.Length; j++)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++) sum += s[i] * ((i == j ? 1.0 : 0.0) - s[j]) * dy[i];
                dx[j] = sum;
            }
            return dx;
        }

        /// <summary>ReLU backward under each rule, from the definitions (<paramref name="x"/> is the ReLU's input).</summary>
        public static double[] ReluBackward(double[] x, double[] r, Relucent.BackwardRule rule) => rule switch
        {
            Relucent.BackwardRule.Saliency => r.Select((v, i) => x[i] > 0 ? v : 0.0).ToArray(),
            Relucent.BackwardRule.DeconvNet => r.Select(v => v > 0 ? v : 0.0).ToArray(),
            _ => r.Select((v, i) => x[i] > 0 && v > 0 ? v : 0.0).ToArray(),
        };
    }
}
