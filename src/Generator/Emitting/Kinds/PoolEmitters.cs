using System.Linq;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Max pooling: forward records where each maximum was; backward routes the signal back through those switches.</summary>
    internal sealed class MaxPoolEmitter : LayerEmitter<MaxPoolLayer>
    {
        public override string GeometryName => "pool";

        public override bool KeepsSwitches => true;

        public override bool AppliesPrecedingRule(Layer layer) => true;

        public override (string Type, string Value) Geometry(PlannedLayer p) => PoolText.Geometry(p, Of(p));

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out}[c, y, x] = max of {p.In}[c, {PoolText.Window("y", Of(p), Of(p).Padding.Top)}, {PoolText.Window("x", Of(p), Of(p).Padding.Left)}]"
            + (Of(p).Padding.IsZero ? "" : " (the padding never wins)") + $"; {p.Switches} records where each maximum was";

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.MaxForward<{s.T}>", "ws." + p.In, "ws." + p.Out, "ws." + p.Switches, "in " + p.Geometry);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn}[{p.Switches}[k]] += {p.ROut}[k], zero elsewhere: unpooling through the forward switches";

        public override string LrpMath(PlannedLayer p, LrpStep step) =>
            $"the gradient (Zennit gives max pooling no rule): {p.BackwardTarget}[{p.Switches}[k]] += {p.ROut}[k], zero elsewhere, each window's relevance to its winner"
            + (p.BackwardRectifier != null ? $" (straight to {p.BackwardTarget}: the {p.BackwardRectifier.Layer.Describe()} before it passes relevance)" : "");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) =>
            s.Kernel($"PoolingKernels.MaxBackward<{s.T}>", "ws." + p.ROut, "ws." + p.Switches, "ws." + p.BackwardTarget, "in " + p.Geometry);

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            if (s.BackwardRectifier(p) != null)
            {
                string[] rectifier = s.BackwardRectifierArguments(p);
                s.Kernel($"PoolingKernels.MaxBackward<{s.T}, TRule>",
                    new[] { "ws." + p.ROut, "ws." + p.Switches, "ws." + s.BackwardTarget(p), rectifier[0], "in " + p.Geometry }.Concat(rectifier.Skip(1)).ToArray());
            }
            else
            {
                s.Kernel($"PoolingKernels.MaxBackward<{s.T}>", "ws." + p.ROut, "ws." + p.Switches, "ws." + p.RIn, "in " + p.Geometry);
            }
        }
    }

    /// <summary>Average pooling: forward the window's mean; backward each value spread evenly over its window.</summary>
    internal sealed class AvgPoolEmitter : LayerEmitter<AvgPoolLayer>
    {
        public override string GeometryName => "pool";

        public override (string Type, string Value) Geometry(PlannedLayer p) => PoolText.Geometry(p, Of(p));

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out}[c, y, x] = mean of {p.In}[c, {PoolText.Window("y", Of(p), Of(p).Padding.Top)}, {PoolText.Window("x", Of(p), Of(p).Padding.Left)}]"
            + (Of(p).Padding.IsZero ? "" : ", the padding counted as zeros");

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.AvgForward<{s.T}>", "ws." + p.In, "ws." + p.Out, "in " + p.Geometry);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn} receives each {p.ROut} value divided by {Of(p).Kernel * Of(p).Kernel} at every position of its window";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.AvgBackward<{s.T}>", "ws." + p.ROut, "ws." + p.RIn, "in " + p.Geometry);

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.NormMath(p);

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitNorm(s, p, "AvgPoolMap");
    }

    /// <summary>Adaptive average pooling: output cell (i, j) averages its bin of input rows and columns, PyTorch's bins.</summary>
    internal sealed class AdaptiveAvgPoolEmitter : LayerEmitter<AdaptiveAvgPoolLayer>
    {
        public override string GeometryName => "adaptive";

        public override (string Type, string Value) Geometry(PlannedLayer p) =>
            (EmitScope.Kernels + "AdaptivePoolGeometry", $"new(channels: {p.Input.Channels}, height: {p.Input.Height}, width: {p.Input.Width}, "
                + $"outputHeight: {p.Output.Height}, outputWidth: {p.Output.Width})");

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out}[c, i, j] = mean of {p.In}[c, ⌊i·{p.Input.Height}/{p.Output.Height}⌋..⌈(i+1)·{p.Input.Height}/{p.Output.Height}⌉−1, "
            + $"⌊j·{p.Input.Width}/{p.Output.Width}⌋..⌈(j+1)·{p.Input.Width}/{p.Output.Width}⌉−1]";

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.AdaptiveAvgForward<{s.T}>", "ws." + p.In, "ws." + p.Out, "in " + p.Geometry);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn} receives each {p.ROut} value divided by its bin's size at every position of its bin";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.AdaptiveAvgBackward<{s.T}>", "ws." + p.ROut, "ws." + p.RIn, "in " + p.Geometry);

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.NormMath(p);

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitNorm(s, p, "AdaptivePoolMap");
    }

    /// <summary>What the pooling kinds share: their geometry constant and how comments write a window.</summary>
    internal static class PoolText
    {
        public static (string Type, string Value) Geometry(PlannedLayer p, PoolLayer pool)
        {
            string sizes = $"channels: {p.Input.Channels}, height: {p.Input.Height}, width: {p.Input.Width}, kernel: {pool.Kernel}, stride: {pool.Stride}";
            return (EmitScope.Kernels + "PoolGeometry", pool.Padding.IsZero && !pool.CeilMode
                ? $"new({sizes})"
                : $"new({sizes}, padTop: {pool.Padding.Top}, padLeft: {pool.Padding.Left}, padBottom: {pool.Padding.Bottom}, padRight: {pool.Padding.Right}, "
                    + $"ceilMode: {(pool.CeilMode ? "true" : "false")})");
        }

        /// <summary><c>2y..2y+1</c>, or <c>2y−1..2y+1</c> with a padding of 1: the input rows (or columns) output <paramref name="o"/> reads.</summary>
        public static string Window(string o, PoolLayer pool, int padding)
        {
            string start = (pool.Stride == 1 ? o : pool.Stride + o) + (padding == 0 ? "" : "−" + padding);
            string end = (pool.Stride == 1 ? o : pool.Stride + o) + (pool.Kernel - 1 - padding == 0 ? "" : (pool.Kernel - 1 - padding > 0 ? "+" : "−") + System.Math.Abs(pool.Kernel - 1 - padding));
            return pool.Kernel == 1 ? start : $"{start}..{end}";
        }
    }
}
