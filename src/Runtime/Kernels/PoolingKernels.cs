using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// Max, average and adaptive average pooling on one NCHW example, as <c>nn.MaxPool2d</c>, <c>nn.AvgPool2d</c>
    /// (<c>count_include_pad=True</c>) and <c>nn.AdaptiveAvgPool2d</c> compute them, padding and ceil mode included (see
    /// <see cref="PoolGeometry"/>). Max pooling records its switches (the flat input index of each window's maximum, first
    /// one on ties, as PyTorch's CPU kernel picks, never a padding position) so the backward pass routes the signal exactly
    /// where autograd would.
    /// </summary>
    public static class PoolingKernels
    {
        /// <summary>Set on a thread to check switches by the scalar loop alone there (benchmarks' A/B comparisons).</summary>
        [ThreadStatic] internal static bool t_scalarSwitchCheck;

        /// <summary><c>y[c, oy, ox] = max</c> of the window; <paramref name="switches"/> receives each maximum's flat input index.</summary>
        /// <remarks>
        /// Windows are clipped to the input (the padding is −∞ and never wins) and scanned row by row, left to right; a value
        /// replaces the running maximum when it is greater, or when it is NaN and the maximum is not (so the first NaN wins,
        /// as PyTorch's kernel propagates NaN). In float with AVX-512, "same" stride-1 windows (GoogLeNet's Inception pools) and
        /// stride 2 (stem pools) run separably, rows then columns, with the same choices (<see cref="SamePool512"/>,
        /// <see cref="StridePool512"/>); 2×2 stride-2 windows inside the input and other stride-1 pools run 16 windows at once
        /// with the same comparisons lane by lane (<see cref="MaxPool512"/>); every other case runs the scalar loop.
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
                // Channels are independent: a large pooling is shared among threads by ranges of channels.
                // The path is chosen here, on the calling thread (its switches are per thread), for every piece alike.
                var job = new MaxJob<T> { X = px, Y = py, Switches = ps, Geometry = g, Same = SamePool512.Applies<T>(g), Strided = StridePool512.Applies<T>(g) };
                int threads = KernelParallelism.Threads((long)g.OutputSize * g.Kernel * g.Kernel);
                KernelParallelism.ForRanges(g.Channels, threads, &MaxRange<T>, &job);
            }
        }

        private unsafe struct MaxJob<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public T* X;
            public T* Y;
            public int* Switches;
            public T* Dy;
            public T* Dx;
            public ReluStep<T> Rule;
            public PoolGeometry Geometry;
            public bool Same; // "same" stride-1 windows in float on AVX-512: SamePool512
            public bool Strided; // stride 2 in float on AVX-512: StridePool512 (2×2 windows inside the input: MaxPool512.Forward2x2)
        }

        private static unsafe void MaxRange<T>(void* context, int first, int end) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ref MaxJob<T> job = ref Unsafe.AsRef<MaxJob<T>>(context);
            ref PoolGeometry g = ref job.Geometry;
            if (job.Same)
            {
                SamePool512.Forward((float*)job.X, (float*)job.Y, job.Switches, g, first, end);
            }
            else if (typeof(T) == typeof(float) && SimdWidth.Use512 && g.Kernel == 2 && g.Stride == 2 && g.Unpadded)
            {
                MaxPool512.Forward2x2((float*)job.X, (float*)job.Y, job.Switches, g, first, end);
            }
            else if (job.Strided)
            {
                StridePool512.Forward((float*)job.X, (float*)job.Y, job.Switches, g, first, end);
            }
            else if (typeof(T) == typeof(float) && SimdWidth.Use512 && g.Stride <= 2)
            {
                MaxPool512.Forward((float*)job.X, (float*)job.Y, job.Switches, g, first, end);
            }
            else
            {
                int o = first * g.OutputHeight * g.OutputWidth;
                for (int c = first; c < end; c++)
                {
                    int planeStart = c * g.Height * g.Width;
                    for (int oy = 0; oy < g.OutputHeight; oy++)
                    {
                        g.Rows(oy, out int firstRow, out int endRow);
                        for (int ox = 0; ox < g.OutputWidth; ox++, o++) MaxWindow(job.X + planeStart, planeStart, g, firstRow, endRow, ox, job.Y + o, job.Switches + o);
                    }
                }
            }
        }

        /// <summary>One window by the scalar rule: rows <c>[firstRow, endRow)</c> of <paramref name="plane"/> (whose flat index starts at <paramref name="planeStart"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static unsafe void MaxWindow<T>(T* plane, int planeStart, in PoolGeometry g, int firstRow, int endRow, int ox, T* y, int* switchOut)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            g.Columns(ox, out int firstColumn, out int endColumn);
            int best = firstRow * g.Width + firstColumn;
            T max = plane[best];
            for (int iy = firstRow; iy < endRow; iy++)
            {
                T* row = plane + iy * g.Width;
                for (int ix = firstColumn; ix < endColumn; ix++)
                {
                    T v = row[ix];
                    if (v > max || T.IsNaN(v) && !T.IsNaN(max))
                    {
                        max = v;
                        best = iy * g.Width + ix;
                    }
                }
            }
            *y = max;
            *switchOut = planeStart + best;
        }

        /// <summary>Unpooling through the switches: <c>dx[switch[o]] += dy[o]</c>, zero elsewhere.</summary>
        public static unsafe void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(switches, g.OutputSize, nameof(switches));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            fixed (T* pdy = dy, pdx = dx)
            fixed (int* ps = switches)
            {
                Unpool(pdy, ps, pdx, g, ReluStep<T>.None);
            }
        }

        /// <summary>
        /// Unpooling taken on through the ReLU just below the pooling: <c>dx = rule(z, unpool(dy))</c>, where
        /// <paramref name="reluOutput"/> is that ReLU's forward output <c>z</c> (its mask; DeconvNet does not read it). The same
        /// bits as <see cref="MaxBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, in PoolGeometry)"/> followed by
        /// <see cref="ReluRules"/>.
        /// </summary>
        public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, in PoolGeometry g, BackwardRule rule, ReadOnlySpan<T> reluOutput)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            MaxBackward(dy, switches, dx, g, rule, reluOutput, Rectifier.Relu);

        /// <summary>
        /// Unpooling taken on through the rectifier just below the pooling: <c>dx = rule(z, unpool(dy))</c>, where
        /// <paramref name="rectifierOutput"/> is that ReLU's or ReLU6's forward output <c>z</c>. When windows do not overlap
        /// (stride ≥ kernel) only the switch positions can receive a signal, so the rule is applied there alone, as each value
        /// lands, and every other position stays zero (which any rule maps to zero): one pass instead of unpooling the whole
        /// input and then walking it again. Overlapping windows may send several values to one position, and DeconvNet's
        /// <c>max(Σ, 0)</c> is not <c>Σ max(·, 0)</c>: there the sums are completed first and the rule follows in one pass.
        /// Either way, the same bits as <see cref="MaxBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, in PoolGeometry)"/>
        /// followed by <see cref="ReluRules"/> or <see cref="Relu6Rules"/>.
        /// </summary>
        /// <exception cref="ArgumentException">A switch lies outside the input (switches written by <see cref="MaxForward{T}"/> never do).</exception>
        public static unsafe void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, in PoolGeometry g, BackwardRule rule, ReadOnlySpan<T> rectifierOutput, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(switches, g.OutputSize, nameof(switches));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            Check.Length(rectifierOutput, g.InputSize, nameof(rectifierOutput));
            fixed (T* pdy = dy, pdx = dx, pz = rectifierOutput)
            fixed (int* ps = switches)
            {
                Unpool(pdy, ps, pdx, g, new ReluStep<T>(rule, pz, rectifier));
            }
        }

        /// <summary>
        /// <see cref="MaxBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, in PoolGeometry, BackwardRule, ReadOnlySpan{T})"/> with the
        /// rule named as a type, as generated backward passes call it.
        /// </summary>
        public static void MaxBackward<T, TRule>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, ReadOnlySpan<T> reluOutput, in PoolGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule =>
            MaxBackward(dy, switches, dx, g, TRule.Rule, reluOutput);

        /// <summary>
        /// Unpooling through the rule <typeparamref name="TRule"/> of the <paramref name="rectifier"/> (ReLU or ReLU6) just below
        /// the pooling, the rule named as a type, as generated backward passes call it.
        /// </summary>
        public static void MaxBackward<T, TRule>(ReadOnlySpan<T> dy, ReadOnlySpan<int> switches, Span<T> dx, ReadOnlySpan<T> rectifierOutput, in PoolGeometry g, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule =>
            MaxBackward(dy, switches, dx, g, TRule.Rule, rectifierOutput, rectifier);

        /// <summary>
        /// <c>dx = rule(unpool(dy))</c>, channel by channel (a window's switch lies in its own channel's plane), shared among
        /// threads by ranges of channels. The switches are checked first, on the calling thread: one outside its window's
        /// channel is refused before anything is written (switches written by <see cref="MaxForward{T}"/> never are).
        /// </summary>
        private static unsafe void Unpool<T>(T* dy, int* switches, T* dx, in PoolGeometry g, ReluStep<T> rule) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int plane = g.Height * g.Width, outputs = g.OutputHeight * g.OutputWidth;
            for (int c = 0; c < g.Channels; c++)
            {
                int o = FirstStraySwitch(switches + c * outputs, outputs, c * plane, plane);
                if (o >= 0)
                {
                    o += c * outputs;
                    throw new ArgumentException($"switches[{o}] = {switches[o]} is outside channel {c}'s input plane [{c * plane}, {(c + 1) * plane}).", nameof(switches));
                }
            }
            var job = new MaxJob<T> { Dy = dy, Switches = switches, Dx = dx, Rule = rule, Geometry = g };
            int threads = KernelParallelism.Threads((long)g.InputSize);
            KernelParallelism.ForRanges(g.Channels, threads, &UnpoolRange<T>, &job);
        }

        /// <summary>
        /// The first of <paramref name="count"/> switches outside <c>[start, start + plane)</c>, or −1. Eight at a time where
        /// 256-bit vectors run (the check was a scalar loop costing more than the unpooling it guards); the position of a
        /// stray one is found by the scalar loop, which only an invalid call reaches.
        /// </summary>
        private static unsafe int FirstStraySwitch(int* switches, int count, int start, int plane)
        {
            int o = 0;
            if (Vector256.IsHardwareAccelerated && !t_scalarSwitchCheck)
            {
                Vector256<uint> stray = Vector256<uint>.Zero, low = Vector256.Create((uint)start), size = Vector256.Create((uint)plane);
                for (; o + 8 <= count; o += 8) stray |= Vector256.GreaterThanOrEqual(Vector256.Load((uint*)switches + o) - low, size);
                if (stray != Vector256<uint>.Zero) o = 0;
            }
            for (; o < count; o++)
            {
                if ((uint)(switches[o] - start) >= (uint)plane) return o;
            }
            return -1;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void UnpoolRange<T>(void* context, int first, int end) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ref MaxJob<T> job = ref Unsafe.AsRef<MaxJob<T>>(context);
            ref PoolGeometry g = ref job.Geometry;
            int plane = g.Height * g.Width, outputs = g.OutputHeight * g.OutputWidth;
            T* dx = job.Dx, dy = job.Dy;
            int* switches = job.Switches;
            new Span<T>(dx + first * plane, (end - first) * plane).Clear();
            if (job.Rule.IsNone || g.Stride < g.Kernel)
            {
                // Overlapping windows may send several values to one position, and DeconvNet's max(Σ, 0) is not Σ max(·, 0):
                // the sums are completed first and the rule (if any) follows in one pass.
                for (int o = first * outputs; o < end * outputs; o++) dx[switches[o]] += dy[o];
                job.Rule.Offset(first * plane).ApplyTo(dx + first * plane, (end - first) * plane);
            }
            else
            {
                // Only the switch positions receive a signal: the rule applies there alone, as each value lands, and every other
                // position stays zero (which any rule maps to zero). T.Zero + dy[o] as the unfused sum into a cleared buffer
                // computes it (+0 for a −0 signal).
                for (int o = first * outputs; o < end * outputs; o++)
                {
                    int at = switches[o];
                    dx[at] = job.Rule.Apply(at, T.Zero + dy[o]);
                }
            }
        }

        /// <summary>
        /// <c>y[c, oy, ox] = (1 / d) Σ</c> of the window clipped to the input, where <c>d</c> counts the window's positions inside
        /// the padded input (padding included, as <c>count_include_pad=True</c>; it differs from <c>k²</c> only where a ceil-mode
        /// window reaches past the padding).
        /// </summary>
        public static unsafe void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(y, g.OutputSize, nameof(y));
            fixed (T* px = x, py = y)
            {
                var mean = new Mean<T> { X = px, Y = py, Width = g.Width };
                Windows<T, Mean<T>>(ref mean, g);
            }
        }

        /// <summary>Each window gives <c>dy / d</c> to every input position of it (<c>d</c> as in <see cref="AvgForward{T}"/>).</summary>
        public static unsafe void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            dx.Clear();
            fixed (T* pdy = dy, pdx = dx)
            {
                var spread = new Spread<T> { Dy = pdy, Dx = pdx, Width = g.Width };
                Windows<T, Spread<T>>(ref spread, g);
            }
        }

        /// <summary>
        /// <c>y[c, i, j]</c> = the mean of input rows <c>[⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉)</c> and columns <c>[⌊j·W/OW⌋, ⌈(j+1)·W/OW⌉)</c>,
        /// as <c>nn.AdaptiveAvgPool2d</c> computes it (the sum in row-major order, divided by the bin's size).
        /// </summary>
        public static unsafe void AdaptiveAvgForward<T>(ReadOnlySpan<T> x, Span<T> y, in AdaptivePoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(y, g.OutputSize, nameof(y));
            fixed (T* px = x, py = y)
            {
                var mean = new Mean<T> { X = px, Y = py, Width = g.Width };
                Bins<T, Mean<T>>(ref mean, g);
            }
        }

        /// <summary>Each bin gives <c>dy / size</c> to every input position of it; positions in several bins receive the sum.</summary>
        public static unsafe void AdaptiveAvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, in AdaptivePoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length<T>(dx, g.InputSize, nameof(dx));
            dx.Clear();
            fixed (T* pdy = dy, pdx = dx)
            {
                var spread = new Spread<T> { Dy = pdy, Dx = pdx, Width = g.Width };
                Bins<T, Spread<T>>(ref spread, g);
            }
        }

        /// <summary>What an average does with one window: output <c>o</c>, input rows and columns <c>[first, end)</c> of the plane at <c>planeStart</c>, divisor <c>d</c>.</summary>
        private interface IWindow<T>
        {
            void Visit(int o, int planeStart, int firstRow, int endRow, int firstColumn, int endColumn, T divisor);
        }

        /// <summary>Forward: <c>y[o] = Σ x / d</c>, summed row by row.</summary>
        private unsafe struct Mean<T> : IWindow<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public T* X;
            public T* Y;
            public int Width;

            public void Visit(int o, int planeStart, int firstRow, int endRow, int firstColumn, int endColumn, T divisor)
            {
                T sum = T.Zero;
                for (int iy = firstRow; iy < endRow; iy++)
                {
                    for (int ix = firstColumn; ix < endColumn; ix++) sum += X[planeStart + iy * Width + ix];
                }
                Y[o] = sum / divisor;
            }
        }

        /// <summary>Backward: <c>dx += dy[o] / d</c> over the window.</summary>
        private unsafe struct Spread<T> : IWindow<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public T* Dy;
            public T* Dx;
            public int Width;

            public void Visit(int o, int planeStart, int firstRow, int endRow, int firstColumn, int endColumn, T divisor)
            {
                T share = Dy[o] / divisor;
                for (int iy = firstRow; iy < endRow; iy++)
                {
                    for (int ix = firstColumn; ix < endColumn; ix++) Dx[planeStart + iy * Width + ix] += share;
                }
            }
        }

        /// <summary>Every window of an average pool, in output order, clipped to the input, with PyTorch's <c>count_include_pad</c> divisor.</summary>
        private static void Windows<T, W>(ref W visit, in PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> where W : struct, IWindow<T>
        {
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int oy = 0; oy < g.OutputHeight; oy++)
                {
                    g.Rows(oy, out int firstRow, out int endRow);
                    for (int ox = 0; ox < g.OutputWidth; ox++, o++)
                    {
                        g.Columns(ox, out int firstColumn, out int endColumn);
                        // The window clipped to the padded input, [start, min(start + k, size + padAfter)) each way.
                        int top = oy * g.Stride - g.PadTop, left = ox * g.Stride - g.PadLeft;
                        int rows = Math.Min(top + g.Kernel, g.Height + g.PadBottom) - top;
                        int columns = Math.Min(left + g.Kernel, g.Width + g.PadRight) - left;
                        visit.Visit(o, c * g.Height * g.Width, firstRow, endRow, firstColumn, endColumn, T.CreateTruncating(rows * columns));
                    }
                }
            }
        }

        /// <summary>Every bin of an adaptive average pool, in output order, divided by its size.</summary>
        private static void Bins<T, W>(ref W visit, in AdaptivePoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T> where W : struct, IWindow<T>
        {
            int o = 0;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int i = 0; i < g.OutputHeight; i++)
                {
                    int firstRow = Model.WindowArithmetic.AdaptiveStart(i, g.Height, g.OutputHeight), endRow = Model.WindowArithmetic.AdaptiveEnd(i, g.Height, g.OutputHeight);
                    for (int j = 0; j < g.OutputWidth; j++, o++)
                    {
                        int firstColumn = Model.WindowArithmetic.AdaptiveStart(j, g.Width, g.OutputWidth), endColumn = Model.WindowArithmetic.AdaptiveEnd(j, g.Width, g.OutputWidth);
                        visit.Visit(o, c * g.Height * g.Width, firstRow, endRow, firstColumn, endColumn, T.CreateTruncating((endRow - firstRow) * (endColumn - firstColumn)));
                    }
                }
            }
        }
    }
}
