using System;

namespace Relucent.Model
{
    /// <summary>
    /// How much scratch memory the runtime's kernels need for one layer geometry, as pure arithmetic: the kernels' geometry
    /// structs refuse a layer whose scratch would exceed <see cref="Limits.MaxElements"/> before any buffer or pointer is
    /// formed, and the shape rules (compiled into the generator too) refuse exactly the same layers at compile time.
    /// </summary>
    /// <remarks>
    /// <para>Each figure is the largest single buffer, in values, that any of the layer's kernels (forward, input gradient,
    /// parameter gradient) may request on any machine: every path that may run for the geometry is counted, at the widest
    /// vector (16 lanes), whatever the hardware. A test in the kernels' suite records every request the kernels make on
    /// every SIMD path and checks it against these figures. All arithmetic is in <c>long</c> and saturates, so no
    /// argument wraps around to a small size.</para>
    /// <para>Paths of a convolution, per group of <c>C/G</c> channels and <c>F/G</c> filters (scratch is reused from group to
    /// group): the forward pass stages the padded input split into stride phases (implicit im2col); the
    /// input gradient stages the output gradient with a border of <c>k − 1</c> (stride 1), or multiplies by taps and
    /// gathers (other strides, few channels); 3×3 stride-1 layers may take Winograd's F(2×2, 3×3); depthwise layers stage
    /// one plane at a time; the weight gradient stages the transposed output gradient or an im2col matrix.</para>
    /// </remarks>
    public static class KernelScratch
    {
        /// <summary>The widest vector any kernel path uses, in values (float on AVX-512): sizes are rounded up to it.</summary>
        private const long Lanes = 16;

        /// <summary>
        /// The largest scratch buffer, in values, the convolution kernels need for a <c>[channels, height, width]</c> input,
        /// <paramref name="filters"/> square kernels of side <paramref name="kernel"/>, the given stride, zero padding on each
        /// side and groups; <see cref="long.MaxValue"/> when the arguments are out of range or the figure does not fit in a
        /// <c>long</c>. Compare it with <see cref="Limits.MaxElements"/> (or call <see cref="ConvolutionFits"/>).
        /// </summary>
        public static long Convolution(int channels, int height, int width, int filters, int kernel, int stride,
            int padTop, int padLeft, int padBottom, int padRight, int groups)
        {
            if (channels <= 0 || height <= 0 || width <= 0 || filters <= 0 || kernel <= 0 || stride <= 0 || groups <= 0
                || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0 || channels % groups != 0 || filters % groups != 0)
            {
                return long.MaxValue;
            }
            if (!WindowArithmetic.TryOutputSize(height, kernel, stride, padTop, padBottom, false, out int oh)
                || !WindowArithmetic.TryOutputSize(width, kernel, stride, padLeft, padRight, false, out int ow))
            {
                return long.MaxValue;
            }
            long c = channels / groups, f = filters / groups, k = kernel;
            long hp = (long)height + padTop + padBottom, wp = (long)width + padLeft + padRight;
            long taps = Mul(c, Mul(k, k));
            long positions = Mul(oh, ow);
            long largest = 0;

            // Forward: the padded input staged in s × s phases of ⌈Hp/s⌉ × ⌈Wp/s⌉ (implicit im2col), and the product, rows ⌈Wp/s⌉ wide.
            long phaseHeight = (hp + stride - 1) / stride, phaseWidth = (wp + stride - 1) / stride;
            largest = Max(largest, Add(Mul(c, Mul((long)stride * stride, Mul(phaseHeight, phaseWidth))), k + 2 * Lanes));
            largest = Max(largest, Mul(f, Add(Mul(oh, phaseWidth), Lanes)));

            // Input gradient, stride 1 by channels: the output gradient staged with a border of k − 1, rows W + k − 1 wide.
            long hq = height + k - 1, wq = width + k - 1;
            if (stride == 1)
            {
                largest = Max(largest, Add(Mul(f, Mul(hq, wq)), k + Lanes));
                largest = Max(largest, Mul(c, Add(Mul(height, wq), Lanes)));
            }
            if (stride > 1 || c < 8)
            {
                // By taps: the output gradient staged in whole vectors, the product of one row per tap, and one channel's
                // input staged in stride phases (col2im).
                long ldb = Add(positions, Lanes);
                largest = Max(largest, Add(Mul(f, ldb), Lanes));
                largest = Max(largest, Mul(taps, ldb));
                largest = Max(largest, Add(Mul((long)stride * stride, Mul(phaseHeight, phaseWidth)), Lanes));
            }

            // Depthwise (one channel per filter): one staged plane (split into column phases for strides above 1), and one
            // staged output-gradient plane with G zero columns either side; at stride 1 the input gradient may instead run
            // as the forward pass over the output gradient padded to H + k − 1 × W + k − 1, with every channel's taps flipped.
            if (groups == channels && groups == filters)
            {
                long rowStride = stride == 1 ? wp : (wp + stride - 1) / stride + Lanes;
                largest = Max(largest, Add(Mul(stride, Mul(hp, rowStride)), 2 * Lanes));
                long gap = (k - 1 + stride - 1) / stride;
                largest = Max(largest, Mul(oh, 2 * gap + ow + Lanes));
                largest = Max(largest, Mul(stride, (width + stride - 1) / stride + Lanes));
                if (stride == 1)
                {
                    largest = Max(largest, Add(Mul(hq, wq), 2 * Lanes));
                    largest = Max(largest, Mul(channels, Mul(k, k)));
                }
            }

            // Winograd F(2×2, 3×3) and F(4×4, 3×3), both directions.
            if (kernel == 3 && stride == 1 && c >= 8 && f >= 8)
            {
                largest = Max(largest, Winograd(c, f, oh, ow));
                largest = Max(largest, Winograd(f, c, height, width));
                largest = Max(largest, Winograd4(c, f, oh, ow));
                largest = Max(largest, Winograd4(f, c, height, width));
            }

            // Weight gradient.
            long ldf = RoundUp(f);
            largest = Max(largest, Mul(positions, ldf));                 // the transposed output gradient
            largest = Max(largest, Mul(taps, ldf));                      // the product
            largest = Max(largest, Add(Mul(c, Mul(hp, wp)), Lanes));     // the padded input
            if (c < 8)
            {
                // By dot products: the staged input (stride 1) or the im2col matrix, and the output gradient's rows.
                long ld = stride == 1 ? Add(Mul(oh, wp), Lanes) : Add(positions, Lanes);
                largest = Max(largest, stride == 1 ? Add(Mul(c, Mul(hp, wp)), k + Lanes) : Mul(taps, ld));
                largest = Max(largest, Add(Mul(f, ld), Lanes));
            }
            return largest;
        }

        /// <summary>
        /// Whether the convolution kernels can run this geometry: every argument in range, the window inside the padded
        /// input, and the input, output, weight and scratch (<see cref="Convolution"/>) each within
        /// <see cref="Limits.MaxElements"/>. The kernels' <c>ConvolutionGeometry</c> refuses exactly the geometries for which
        /// this is false.
        /// </summary>
        public static bool ConvolutionFits(int channels, int height, int width, int filters, int kernel, int stride,
            int padTop, int padLeft, int padBottom, int padRight, int groups)
        {
            long scratch = Convolution(channels, height, width, filters, kernel, stride, padTop, padLeft, padBottom, padRight, groups);
            if (scratch > Limits.MaxElements) return false; // also every argument out of range
            WindowArithmetic.TryOutputSize(height, kernel, stride, padTop, padBottom, false, out int oh);
            WindowArithmetic.TryOutputSize(width, kernel, stride, padLeft, padRight, false, out int ow);
            return Mul(channels, Mul(height, width)) <= Limits.MaxElements
                && Mul(filters, Mul(oh, ow)) <= Limits.MaxElements
                && Mul(filters, Mul(channels / groups, Mul(kernel, kernel))) <= Limits.MaxElements;
        }

        /// <summary>The largest of Winograd's buffers for <paramref name="inChannels"/> planes in and <paramref name="outChannels"/> planes of <c>oh × ow</c> out.</summary>
        private static long Winograd(long inChannels, long outChannels, long oh, long ow)
        {
            long th = (oh + 1) / 2, tw = (ow + 1) / 2;
            long tiles = RoundUp(Mul(th, tw));
            long staged = Add(Mul(inChannels, Add(Mul(2 * th + 2, 2 * tw + 2), Lanes)), 64); // planes a spare line apart
            long weights = Mul(16, Add(Mul(inChannels, outChannels), 16));
            long input = Mul(16, Add(Mul(inChannels, tiles + Lanes), 16));
            long output = Add(Mul(16, Add(Mul(outChannels, tiles), 16)), 16);
            return Max(Max(staged, weights), Max(input, output));
        }

        /// <summary>The largest of F(4×4, 3×3)'s buffers (Winograd4): 36 transformed planes of 6×6 blocks, each block 4×4 outputs.</summary>
        private static long Winograd4(long inChannels, long outChannels, long oh, long ow)
        {
            long th = (oh + 3) / 4, tw = (ow + 3) / 4;
            long tiles = RoundUp(Mul(th, tw));
            long staged = Add(Mul(inChannels, Add(Mul(4 * th + 2, 4 * tw + 2), Lanes)), 128); // planes a spare line apart, the loads' slack
            long weights = Mul(36, Add(Mul(inChannels, outChannels), 16));
            long input = Mul(36, Add(Mul(inChannels, tiles + Lanes), 16));
            long output = Add(Mul(36, Add(Mul(outChannels, tiles), 16)), 16);
            return Max(Max(staged, weights), Max(input, output));
        }

        private static long RoundUp(long n) => n > long.MaxValue - Lanes ? long.MaxValue : (n + Lanes - 1) / Lanes * Lanes;

        private static long Max(long a, long b) => a > b ? a : b;

        /// <summary><c>a + b</c> for non-negative operands, saturating at <see cref="long.MaxValue"/>.</summary>
        private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

        /// <summary><c>a · b</c> for non-negative operands, saturating at <see cref="long.MaxValue"/>.</summary>
        private static long Mul(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
    }
}
