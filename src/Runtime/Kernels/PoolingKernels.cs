using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// Max and average pooling without padding on one NCHW example, as <c>nn.MaxPool2d</c> / <c>nn.AvgPool2d</c>.
    /// Max pooling records its switches (the flat input index of each window's maximum, first one on ties, as
    /// PyTorch's CPU kernel picks) so the backward pass routes the signal exactly where autograd would.
    /// </summary>
    public static class PoolingKernels
    {
        /// <summary><c>y[c, oy, ox] = max</c> of the window; <paramref name="switches"/> receives each maximum's flat input index.</summary>
        /// <remarks>
        /// Windows are scanned row by row, left to right; a value replaces the running maximum when it is greater, or
        /// when it is NaN and the maximum is not (so the first NaN wins, as PyTorch's kernel propagates NaN). The
        /// common 2×2, stride 2 float pooling runs 16 windows at once with AVX-512 (even and odd columns split by a
        /// two-register permute), the same comparisons lane by lane; every other case runs the scalar loop.
        /// </remarks>
        public static unsafe void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> switches, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(y, g.OutputSize, nameof(y));
            Check.Length<int>(switches, g.OutputSize, nameof(switches));
            fixed (T* px = x, py = y)
            fixed (int* ps = switches)
            {
                if (typeof(T) == typeof(float) && g.Kernel == 2 && g.Stride == 2 && SimdWidth.Use512)
                {
                    MaxForward2x2((float*)px, (float*)py, ps, g);
                }
                else
                {
                    MaxForwardScalar(px, py, ps, g);
                }
            }
        }

        private static unsafe void MaxForwardScalar<T>(T* x, T* y, int* switches, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                int planeStart = c * g.Height * g.Width;
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        int best = planeStart + oy * g.Stride * g.Width + ox * g.Stride;
                        T max = x[best];
                        for (int ky = 0; ky < g.Kernel; ky++)
                        {
                            int rowStart = planeStart + (oy * g.Stride + ky) * g.Width + ox * g.Stride;
                            for (int kx = 0; kx < g.Kernel; kx++)
                            {
                                T v = x[rowStart + kx];
                                if (v > max || T.IsNaN(v) && !T.IsNaN(max))
                                {
                                    max = v;
                                    best = rowStart + kx;
                                }
                            }
                        }
                        y[o] = max;
                        switches[o] = best;
                    }
                }
            }
        }

        private static unsafe void MaxForward2x2(float* x, float* y, int* switches, in PoolGeometry g)
        {
            int width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth;
            int inputSize = g.InputSize, outputSize = g.OutputSize;
            Vector512<int> even = Vector512<int>.Indices * 2, odd = even + Vector512<int>.One;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    int rowStart = (c * g.Height + 2 * oy) * width;
                    for (int ox = 0; ox < ow; ox += 16)
                    {
                        int o = (c * oh + oy) * ow + ox;
                        int count = Math.Min(16, ow - ox);
                        int top = rowStart + 2 * ox, bottom = top + width;
                        // A short row reads on into the next rows while that stays inside x (those lanes are dropped);
                        // only at the end of x is the read cut to the row's own 2·count values.
                        int readable = Math.Min(32, inputSize - bottom);
                        Load32(x + top, readable, out Vector512<float> a, out Vector512<float> b);
                        Vector512<float> v00 = Avx512F.PermuteVar16x32x2(a, even, b), v01 = Avx512F.PermuteVar16x32x2(a, odd, b);
                        Load32(x + bottom, readable, out a, out b);
                        Vector512<float> v10 = Avx512F.PermuteVar16x32x2(a, even, b), v11 = Avx512F.PermuteVar16x32x2(a, odd, b);
                        Vector512<int> index = Vector512.Create(top) + even;
                        Vector512<float> max = v00;
                        Vector512<int> best = index;
                        Take(v01, index + Vector512<int>.One, ref max, ref best);
                        Take(v10, index + Vector512.Create(width), ref max, ref best);
                        Take(v11, index + Vector512.Create(width + 1), ref max, ref best);
                        if (o + 16 <= outputSize)
                        {
                            // Lanes past this row land on later outputs, which later iterations overwrite.
                            max.Store(y + o);
                            best.Store(switches + o);
                        }
                        else
                        {
                            Vector512<int> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count));
                            Avx512F.MaskStore(y + o, mask.AsSingle(), max);
                            Avx512F.MaskStore(switches + o, mask, best);
                        }
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Load32(float* p, int count, out Vector512<float> a, out Vector512<float> b)
        {
            Vector512<int> lanes = Vector512<int>.Indices;
            a = count >= 16 ? Vector512.Load(p) : Avx512F.MaskLoad(p, Vector512.LessThan(lanes, Vector512.Create(count)).AsSingle(), Vector512<float>.Zero);
            b = count >= 32 ? Vector512.Load(p + 16)
                : count > 16 ? Avx512F.MaskLoad(p + 16, Vector512.LessThan(lanes, Vector512.Create(count - 16)).AsSingle(), Vector512<float>.Zero)
                : Vector512<float>.Zero;
        }

        /// <summary>The scalar rule lane by lane: take <paramref name="v"/> where it is greater, or NaN over a number.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(Vector512<float> v, Vector512<int> index, ref Vector512<float> max, ref Vector512<int> best)
        {
            Vector512<float> take = Vector512.GreaterThan(v, max) | (~Vector512.Equals(v, v) & Vector512.Equals(max, max));
            max = Vector512.ConditionalSelect(take, v, max);
            best = Vector512.ConditionalSelect(take.AsInt32(), index, best);
        }

        /// <summary>Unpooling through the switches: <c>dx[switch[o]] += dy[o]</c>, zero elsewhere.</summary>
        public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(switches, g.OutputSize, nameof(switches));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            dx.Clear();
            for (int o = 0; o < dy.Length; o++) dx[switches[o]] += dy[o];
        }

        /// <summary>
        /// Unpooling taken on through the ReLU just below the pooling: <c>dx = rule(z, unpool(dy))</c>, where
        /// <paramref name="reluOutput"/> is that ReLU's forward output <c>z</c> (its mask; DeconvNet does not read it).
        /// Only the switch positions can receive a signal, so the rule is applied there alone, as each value lands, and
        /// every other position stays zero (which any rule maps to zero): one pass instead of unpooling the whole input and
        /// then walking it again. The same bits as <see cref="MaxBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, in PoolGeometry)"/>
        /// followed by <see cref="ReluRules"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The windows overlap (stride below kernel): a position may then receive several
        /// values, and DeconvNet's <c>max(Σ, 0)</c> is not <c>Σ max(·, 0)</c>, so the rule cannot be applied value by value.</exception>
        public static unsafe void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, in PoolGeometry g, BackwardRule rule, ReadOnlySpan<T> reluOutput)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(switches, g.OutputSize, nameof(switches));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            Check.Length(reluOutput, g.InputSize, nameof(reluOutput));
            if (g.Stride < g.Kernel)
            {
                throw new ArgumentException($"The ReLU rule can be applied while unpooling only when windows do not overlap; this pooling has kernel {g.Kernel}, stride {g.Stride}.", nameof(g));
            }
            dx.Clear();
            fixed (T* pdy = dy, pdx = dx, pz = reluOutput)
            fixed (int* ps = switches)
            {
                Unpool(pdy, ps, pdx, g.OutputSize, g.InputSize, new ReluStep<T>(rule, pz));
            }
        }

        /// <summary>
        /// <see cref="MaxBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, in PoolGeometry, BackwardRule, ReadOnlySpan{T})"/> with the
        /// rule named as a type, as generated backward passes call it.
        /// </summary>
        public static void MaxBackward<T, TRule>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, ReadOnlySpan<T> reluOutput, in PoolGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule =>
            MaxBackward(dy, switches, dx, g, TRule.Rule, reluOutput);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void Unpool<T>(T* dy, int* switches, T* dx, int count, int inputSize, ReluStep<T> step) where T : unmanaged, IFloatingPointIeee754<T>
        {
            // T.Zero + dy[o], as the unfused sum into a cleared buffer computes it (+0 for a −0 signal).
            for (int o = 0; o < count; o++)
            {
                int at = switches[o];
                // Switches written by MaxForward are always inside; any others are refused, not written through.
                if ((uint)at >= (uint)inputSize) throw new ArgumentException($"switches[{o}] = {at} is outside the input of {inputSize} values.", nameof(switches));
                dx[at] = step.Apply(at, T.Zero + dy[o]);
            }
        }

        /// <summary><c>y[c, oy, ox] = (1 / k²) Σ</c> of the window.</summary>
        public static void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(y, g.OutputSize, nameof(y));
            T scale = T.One / T.CreateChecked(g.Kernel * g.Kernel);
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                int planeStart = c * g.Height * g.Width;
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        T sum = T.Zero;
                        for (int ky = 0; ky < g.Kernel; ky++)
                        {
                            int rowStart = planeStart + (oy * g.Stride + ky) * g.Width + ox * g.Stride;
                            for (int kx = 0; kx < g.Kernel; kx++) sum += x[rowStart + kx];
                        }
                        y[o] = sum * scale;
                    }
                }
            }
        }

        /// <summary>Each window receives <c>dy / k²</c> at every position it covers.</summary>
        public static void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            dx.Clear();
            T scale = T.One / T.CreateChecked(g.Kernel * g.Kernel);
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                int planeStart = c * g.Height * g.Width;
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        T share = dy[o] * scale;
                        for (int ky = 0; ky < g.Kernel; ky++)
                        {
                            int rowStart = planeStart + (oy * g.Stride + ky) * g.Width + ox * g.Stride;
                            for (int kx = 0; kx < g.Kernel; kx++) dx[rowStart + kx] += share;
                        }
                    }
                }
            }
        }
    }
}
