using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Max pooling: forward records where each maximum was; backward routes the signal back through those switches.</summary>
    internal sealed class MaxPoolEmitter : LayerEmitter<MaxPoolLayer>
    {
        public override string GeometryName => "pool";

        public override bool KeepsSwitches => true;

        // Only when windows do not overlap does each input position receive at most one value, so that the rule can be
        // applied value by value (DeconvNet's max(Σ, 0) is not Σ max(·, 0)).
        public override bool AppliesPrecedingRule(Layer layer) => ((MaxPoolLayer)layer).Stride >= ((MaxPoolLayer)layer).Kernel;

        public override (string Type, string Value) Geometry(PlannedLayer p) => PoolText.Geometry(p, Of(p));

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out}[c, y, x] = max of {p.In}[c, {PoolText.Window("y", Of(p))}, {PoolText.Window("x", Of(p))}]; {p.Switches} records where each maximum was";

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.MaxForward<{s.T}>", "ws." + p.In, "ws." + p.Out, "ws." + p.Switches, "in " + p.Geometry);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn}[{p.Switches}[k]] += {p.ROut}[k], zero elsewhere: unpooling through the forward switches";

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            if (p.BackwardRelu != null)
            {
                s.Kernel($"PoolingKernels.MaxBackward<{s.T}, TRule>", "ws." + p.ROut, "ws." + p.Switches, "ws." + p.BackwardTarget, "ws." + p.BackwardRelu.Out, "in " + p.Geometry);
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
            $"{p.Out}[c, y, x] = mean of {p.In}[c, {PoolText.Window("y", Of(p))}, {PoolText.Window("x", Of(p))}]";

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.AvgForward<{s.T}>", "ws." + p.In, "ws." + p.Out, "in " + p.Geometry);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn} receives each {p.ROut} value divided by {Of(p).Kernel * Of(p).Kernel} at every position of its window";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"PoolingKernels.AvgBackward<{s.T}>", "ws." + p.ROut, "ws." + p.RIn, "in " + p.Geometry);
    }

    /// <summary>What the pooling kinds share: their geometry constant and how comments write a window.</summary>
    internal static class PoolText
    {
        public static (string Type, string Value) Geometry(PlannedLayer p, PoolLayer pool) =>
            (EmitScope.Kernels + "PoolGeometry", $"new(channels: {p.Input.Channels}, height: {p.Input.Height}, width: {p.Input.Width}, kernel: {pool.Kernel}, stride: {pool.Stride})");

        /// <summary><c>2y..2y+1</c>: the input rows (or columns) output <paramref name="o"/> reads.</summary>
        public static string Window(string o, PoolLayer pool)
        {
            string start = pool.Stride == 1 ? o : pool.Stride + o;
            return pool.Kernel == 1 ? start : $"{start}..{start}+{pool.Kernel - 1}";
        }
    }
}
