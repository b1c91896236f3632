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

        /// <summary>A convolution's sizes: padding per side (top, left, bottom, right) and groups, as PyTorch/ONNX define them.</summary>
        public readonly record struct Conv(int Channels, int Height, int Width, int Filters, int Kernel, int Stride, int Top, int Left, int Bottom, int Right, int Groups)
        {
            public Conv(int channels, int height, int width, int filters, int kernel, int stride, int padding)
                : this(channels, height, width, filters, kernel, stride, padding, padding, padding, padding, 1)
            {
            }

            public int OutputHeight => (Height + Top + Bottom - Kernel) / Stride + 1;

            public int OutputWidth => (Width + Left + Right - Kernel) / Stride + 1;

            public int GroupChannels => Channels / Groups;

            public int GroupFilters => Filters / Groups;
        }

        /// <summary>Direct-index cross-correlation with zero padding, W C-order <c>[F, C, k, k]</c>.</summary>
        public static double[] Conv2D(double[] x, int channels, int height, int width, double[] weight, double[]? bias, int filters, int kernel, int stride, int padding) =>
            Conv2D(x, weight, bias, new Conv(channels, height, width, filters, kernel, stride, padding));

        /// <summary>
        /// Direct-index grouped cross-correlation with zero padding per side, W C-order <c>[F, C/G, k, k]</c>: filter <c>f</c> of
        /// group <c>g = f / (F/G)</c> sees channels <c>g·C/G + c</c>.
        /// </summary>
        public static double[] Conv2D(double[] x, double[] weight, double[]? bias, Conv v)
        {
            int oh = v.OutputHeight, ow = v.OutputWidth, cin = v.GroupChannels, k = v.Kernel;
            var y = new double[v.Filters * oh * ow];
            for (int f = 0; f < v.Filters; f++)
            {
                int group = f / v.GroupFilters;
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = bias?[f] ?? 0.0;
                        for (int c = 0; c < cin; c++)
                        {
                            for (int ky = 0; ky < k; ky++)
                            {
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int iy = oy * v.Stride - v.Top + ky, ix = ox * v.Stride - v.Left + kx;
                                    if (iy < 0 || iy >= v.Height || ix < 0 || ix >= v.Width) continue;
                                    sum += weight[((f * cin + c) * k + ky) * k + kx] * x[((group * cin + c) * v.Height + iy) * v.Width + ix];
                                }
                            }
                        }
                        y[(f * oh + oy) * ow + ox] = sum;
                    }
                }
            }
            return y;
        }

        /// <summary>The input gradient of <see cref="Conv2D(double[], int, int, int, double[], double[], int, int, int, int)"/>.</summary>
        public static double[] Conv2DBackward(double[] dy, int channels, int height, int width, double[] weight, int filters, int kernel, int stride, int padding) =>
            Conv2DBackward(dy, weight, new Conv(channels, height, width, filters, kernel, stride, padding));

        /// <summary>The input gradient of <see cref="Conv2D(double[], double[], double[], Conv)"/>, gathered per input position over every output that used it.</summary>
        public static double[] Conv2DBackward(double[] dy, double[] weight, Conv v)
        {
            int oh = v.OutputHeight, ow = v.OutputWidth, cin = v.GroupChannels, fo = v.GroupFilters, k = v.Kernel;
            var dx = new double[v.Channels * v.Height * v.Width];
            for (int channel = 0; channel < v.Channels; channel++)
            {
                int group = channel / cin, c = channel % cin;
                for (int iy = 0; iy < v.Height; iy++)
                {
                    for (int ix = 0; ix < v.Width; ix++)
                    {
                        double sum = 0;
                        for (int f = group * fo; f < (group + 1) * fo; f++)
                        {
                            for (int ky = 0; ky < k; ky++)
                            {
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int ty = iy + v.Top - ky, tx = ix + v.Left - kx;
                                    if (ty < 0 || tx < 0 || ty % v.Stride != 0 || tx % v.Stride != 0) continue;
                                    int oy = ty / v.Stride, ox = tx / v.Stride;
                                    if (oy >= oh || ox >= ow) continue;
                                    sum += weight[((f * cin + c) * k + ky) * k + kx] * dy[(f * oh + oy) * ow + ox];
                                }
                            }
                        }
                        dx[(channel * v.Height + iy) * v.Width + ix] = sum;
                    }
                }
            }
            return dx;
        }

        /// <summary>The parameter gradients of <see cref="Conv2D(double[], int, int, int, double[], double[], int, int, int, int)"/>.</summary>
        public static (double[] Weight, double[] Bias) Conv2DParameterGradients(double[] x, double[] dy, int channels, int height, int width, int filters, int kernel, int stride, int padding) =>
            Conv2DParameterGradients(x, dy, new Conv(channels, height, width, filters, kernel, stride, padding));

        /// <summary>
        /// The parameter gradients of <see cref="Conv2D(double[], double[], double[], Conv)"/>: <c>∂W[f, c, ky, kx] = Σ_{oy,ox}
        /// dy[f, oy, ox] · x[g·C/G + c, oy·s − pt + ky, ox·s − pl + kx]</c> (C-order <c>[F, C/G, k, k]</c>) and
        /// <c>∂b[f] = Σ_{oy,ox} dy[f, oy, ox]</c>, one sum per element over the output positions.
        /// </summary>
        public static (double[] Weight, double[] Bias) Conv2DParameterGradients(double[] x, double[] dy, Conv v)
        {
            int oh = v.OutputHeight, ow = v.OutputWidth, cin = v.GroupChannels, k = v.Kernel;
            var weight = new double[v.Filters * cin * k * k];
            var bias = new double[v.Filters];
            for (int f = 0; f < v.Filters; f++)
            {
                int group = f / v.GroupFilters;
                for (int c = 0; c < cin; c++)
                {
                    for (int ky = 0; ky < k; ky++)
                    {
                        for (int kx = 0; kx < k; kx++)
                        {
                            double sum = 0;
                            for (int oy = 0; oy < oh; oy++)
                            {
                                for (int ox = 0; ox < ow; ox++)
                                {
                                    int iy = oy * v.Stride - v.Top + ky, ix = ox * v.Stride - v.Left + kx;
                                    if (iy < 0 || iy >= v.Height || ix < 0 || ix >= v.Width) continue;
                                    sum += dy[(f * oh + oy) * ow + ox] * x[((group * cin + c) * v.Height + iy) * v.Width + ix];
                                }
                            }
                            weight[((f * cin + c) * k + ky) * k + kx] = sum;
                        }
                    }
                }
                for (int q = 0; q < oh * ow; q++) bias[f] += dy[f * oh * ow + q];
            }
            return (weight, bias);
        }

        public static int PoolOut(int size, int kernel, int stride) => (size - kernel) / stride + 1;

        /// <summary>Max pooling without padding; <paramref name="argmax"/> is the flat input index of the first maximum in row-major window order.</summary>
        public static double[] MaxPool(double[] x, int channels, int height, int width, int kernel, int stride, out int[] argmax) =>
            MaxPool(x, new Pool(channels, height, width, kernel, stride, 0, 0, 0, 0, false), out argmax);

        public static double[] MaxPoolBackward(double[] dy, int[] argmax, int inputSize)
        {
            var dx = new double[inputSize];
            for (int o = 0; o < dy.Length; o++) dx[argmax[o]] += dy[o];
            return dx;
        }

        public static double[] AvgPool(double[] x, int channels, int height, int width, int kernel, int stride) =>
            AvgPool(x, new Pool(channels, height, width, kernel, stride, 0, 0, 0, 0, false));

        /// <summary>For each input position, the sum of <c>dy / k²</c> over the windows that contain it.</summary>
        public static double[] AvgPoolBackward(double[] dy, int channels, int height, int width, int kernel, int stride) =>
            AvgPoolBackward(dy, new Pool(channels, height, width, kernel, stride, 0, 0, 0, 0, false));

        /// <summary>A pooling layer's sizes: padding per side (top, left, bottom, right) and ceil mode, as PyTorch/ONNX define them.</summary>
        public readonly record struct Pool(int Channels, int Height, int Width, int Kernel, int Stride, int Top, int Left, int Bottom, int Right, bool Ceil)
        {
            public int OutputHeight => Out(Height, Top, Bottom);

            public int OutputWidth => Out(Width, Left, Right);

            /// <summary>PyTorch's pooling_output_shape: floor or ceil of (padded − k)/s, plus one; in ceil mode the last window must start inside the input or its leading padding.</summary>
            private int Out(int size, int before, int after)
            {
                int span = size + before + after - Kernel;
                int count = (Ceil ? (span + Stride - 1) / Stride : span / Stride) + 1;
                if (Ceil && (count - 1) * Stride >= size + before) count--;
                return count;
            }
        }

        /// <summary>Max pooling with −∞ padding: the first maximum (row-major) of each window's input values, NaN over numbers; argmax its flat input index.</summary>
        public static double[] MaxPool(double[] x, Pool v, out int[] argmax)
        {
            int oh = v.OutputHeight, ow = v.OutputWidth;
            var y = new double[v.Channels * oh * ow];
            argmax = new int[y.Length];
            for (int c = 0; c < v.Channels; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double best = double.NegativeInfinity;
                        int at = -1;
                        for (int ky = 0; ky < v.Kernel; ky++)
                        {
                            for (int kx = 0; kx < v.Kernel; kx++)
                            {
                                int iy = oy * v.Stride - v.Top + ky, ix = ox * v.Stride - v.Left + kx;
                                if (iy < 0 || iy >= v.Height || ix < 0 || ix >= v.Width) continue; // padding never wins
                                int index = (c * v.Height + iy) * v.Width + ix;
                                if (at < 0 || x[index] > best || double.IsNaN(x[index]) && !double.IsNaN(best))
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

        /// <summary>Average pooling as <c>count_include_pad=True</c>: the sum of the window's input values over the window's size within the padded input.</summary>
        public static double[] AvgPool(double[] x, Pool v)
        {
            int oh = v.OutputHeight, ow = v.OutputWidth;
            var y = new double[v.Channels * oh * ow];
            for (int c = 0; c < v.Channels; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = 0;
                        for (int ky = 0; ky < v.Kernel; ky++)
                        {
                            for (int kx = 0; kx < v.Kernel; kx++)
                            {
                                int iy = oy * v.Stride - v.Top + ky, ix = ox * v.Stride - v.Left + kx;
                                if (iy < 0 || iy >= v.Height || ix < 0 || ix >= v.Width) continue;
                                sum += x[(c * v.Height + iy) * v.Width + ix];
                            }
                        }
                        y[(c * oh + oy) * ow + ox] = sum / AvgDivisor(v, oy, ox);
                    }
                }
            }
            return y;
        }

        /// <summary>For each input position, the sum of <c>dy / divisor</c> over the windows that contain it.</summary>
        public static double[] AvgPoolBackward(double[] dy, Pool v)
        {
            int oh = v.OutputHeight, ow = v.OutputWidth;
            var dx = new double[v.Channels * v.Height * v.Width];
            for (int c = 0; c < v.Channels; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        for (int ky = 0; ky < v.Kernel; ky++)
                        {
                            for (int kx = 0; kx < v.Kernel; kx++)
                            {
                                int iy = oy * v.Stride - v.Top + ky, ix = ox * v.Stride - v.Left + kx;
                                if (iy < 0 || iy >= v.Height || ix < 0 || ix >= v.Width) continue;
                                dx[(c * v.Height + iy) * v.Width + ix] += dy[(c * oh + oy) * ow + ox] / AvgDivisor(v, oy, ox);
                            }
                        }
                    }
                }
            }
            return dx;
        }

        /// <summary>PyTorch's divisor with count_include_pad: the window's positions inside the padded input (all k² unless a ceil-mode window overhangs).</summary>
        private static int AvgDivisor(Pool v, int oy, int ox)
        {
            int top = oy * v.Stride - v.Top, left = ox * v.Stride - v.Left;
            return (Math.Min(top + v.Kernel, v.Height + v.Bottom) - top) * (Math.Min(left + v.Kernel, v.Width + v.Right) - left);
        }

        /// <summary><c>nn.AdaptiveAvgPool2d</c>: bin <c>i</c> spans <c>[⌊i·H/out⌋, ⌈(i+1)·H/out⌉)</c>, columns alike.</summary>
        public static double[] AdaptiveAvgPool(double[] x, int channels, int height, int width, int outHeight, int outWidth)
        {
            var y = new double[channels * outHeight * outWidth];
            foreach (var (c, i, j, rows, columns) in AdaptiveBins(channels, height, width, outHeight, outWidth))
            {
                double sum = 0;
                foreach (int iy in rows) foreach (int ix in columns) sum += x[(c * height + iy) * width + ix];
                y[(c * outHeight + i) * outWidth + j] = sum / (rows.Length * columns.Length);
            }
            return y;
        }

        /// <summary>The input gradient of <see cref="AdaptiveAvgPool"/>: each bin's <c>dy / size</c> summed at every position of it.</summary>
        public static double[] AdaptiveAvgPoolBackward(double[] dy, int channels, int height, int width, int outHeight, int outWidth)
        {
            var dx = new double[channels * height * width];
            foreach (var (c, i, j, rows, columns) in AdaptiveBins(channels, height, width, outHeight, outWidth))
            {
                foreach (int iy in rows) foreach (int ix in columns) dx[(c * height + iy) * width + ix] += dy[(c * outHeight + i) * outWidth + j] / (rows.Length * columns.Length);
            }
            return dx;
        }

        private static IEnumerable<(int C, int I, int J, int[] Rows, int[] Columns)> AdaptiveBins(int channels, int height, int width, int outHeight, int outWidth)
        {
            static int[] Bin(int index, int size, int count)
            {
                int start = (int)Math.Floor((double)index * size / count), end = (int)Math.Ceiling((double)(index + 1) * size / count);
                return Enumerable.Range(start, end - start).ToArray();
            }

            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < outHeight; i++)
                {
                    for (int j = 0; j < outWidth; j++) yield return (c, i, j, Bin(i, height, outHeight), Bin(j, width, outWidth));
                }
            }
        }

        /// <summary>ReLU6 <c>min(max(x, 0), 6)</c>, NaN kept.</summary>
        public static double[] Relu6(double[] x) => Map(x, v => double.IsNaN(v) ? v : Math.Min(Math.Max(v, 0.0), 6.0));

        /// <summary>ReLU6 backward under each rule, from the definitions (<paramref name="x"/> is the ReLU6's input).</summary>
        public static double[] Relu6Backward(double[] x, double[] r, Relucent.BackwardRule rule) => rule switch
        {
            Relucent.BackwardRule.Saliency => r.Select((v, i) => x[i] > 0 && x[i] < 6 ? v : 0.0).ToArray(),
            Relucent.BackwardRule.DeconvNet => r.Select((v, i) => x[i] < 6 && v > 0 ? v : 0.0).ToArray(),
            _ => r.Select((v, i) => x[i] > 0 && x[i] < 6 && v > 0 ? v : 0.0).ToArray(),
        };

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
