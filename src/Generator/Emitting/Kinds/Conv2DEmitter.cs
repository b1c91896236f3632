using System.Linq;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Conv2D: a convolution each way (the transposed one backward); forward it can apply a following ReLU as it stores.</summary>
    internal sealed class Conv2DEmitter : LayerEmitter<Conv2DLayer>
    {
        public override string GeometryName => "conv";

        public override bool AppliesFollowingRectifier => true;

        public override bool AppliesPrecedingRule(Layer layer) => true;

        public override bool HasParameters => true;

        public override (string Type, string Value) Geometry(PlannedLayer p)
        {
            Conv2DLayer conv = Of(p);
            Shape i = p.Input;
            string sizes = $"channels: {i.Channels}, height: {i.Height}, width: {i.Width}, filters: {conv.Filters}, kernel: {conv.Kernel}, stride: {conv.Stride}";
            return (EmitScope.Kernels + "ConvolutionGeometry", conv.Padding.IsUniform && conv.Groups == 1
                ? $"new({sizes}, padding: {conv.Padding.Top})"
                : $"new({sizes}, padTop: {conv.Padding.Top}, padLeft: {conv.Padding.Left}, padBottom: {conv.Padding.Bottom}, padRight: {conv.Padding.Right}, groups: {conv.Groups})");
        }

        public override string ForwardMath(PlannedLayer p)
        {
            Conv2DLayer conv = Of(p);
            bool hasBias = p.Parameters.TryGetValue(ParameterRole.Bias, out ParameterMember? bias);
            // A grouped convolution's filter f reads only its group's channels: c runs over them.
            string channels = conv.Groups == 1 ? "c" : $"c of group ⌊f·{conv.Groups}/{conv.Filters}⌋";
            return $"{p.Out}[f, y, x] = Σ_{channels},i,j W[f, c, i, j] · {p.In}[c, {Index("y", conv.Stride, conv.Padding.Top, "i")}, {Index("x", conv.Stride, conv.Padding.Left, "j")}]"
                + (hasBias ? " + b[f]" : "") + $", W = {p.Parameters[ParameterRole.Weight].Text}" + (hasBias ? ", b = " + bias!.Text : "") + $", zero outside {p.Input}";
        }

        public override void EmitForward(EmitScope s, PlannedLayer p)
        {
            string[] arguments = { "ws." + p.In, s.Weight(p), s.Bias(p), "ws." + s.ForwardTarget(p), "in " + p.Geometry };
            if (s.RectifierAfter(p) != null) arguments = arguments.Append(s.ForwardRectifierArgument(p)).ToArray();
            s.Kernel($"ConvolutionKernels.Forward<{s.T}>", Prepared(s, p, arguments));
        }

        /// <summary>The arguments, then the weights transformed for Winograd where this pass reads them (<see cref="WinogradPreparation"/>).</summary>
        private static string[] Prepared(EmitScope s, PlannedLayer p, string[] arguments) =>
            WinogradPreparation.Argument(s, p) is string prepared ? arguments.Append(prepared).ToArray() : arguments;

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn}[c, y', x'] = Σ W[f, c, i, j] · {p.ROut}[f, y, x] over every output (f, y, x) whose window read {p.In}[c, y', x'] at tap (i, j), "
            + $"W = {p.Parameters[ParameterRole.Weight].Info.Name}: the transposed convolution";

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            if (s.BackwardRectifier(p) != null)
            {
                // The rectifier's mask comes before the geometry, its name (when not a ReLU) after it.
                string[] rectifier = s.BackwardRectifierArguments(p);
                s.Kernel($"ConvolutionKernels.BackwardInput<{s.T}, TRule>",
                    Prepared(s, p, new[] { "ws." + s.SignalOut(p), s.Weight(p), "ws." + s.BackwardTarget(p), rectifier[0], "in " + p.Geometry }.Concat(rectifier.Skip(1)).ToArray()));
            }
            else
            {
                s.Kernel($"ConvolutionKernels.BackwardInput<{s.T}>", Prepared(s, p, new[] { "ws." + s.SignalOut(p), s.Weight(p), "ws." + p.RIn, "in " + p.Geometry }));
            }
        }

        public override string LrpMath(PlannedLayer p, LrpStep step) =>
            LrpBlocks.AffineMath(p, step, $"W = {p.Parameters[ParameterRole.Weight].Info.Name}"
                + (p.Parameters.TryGetValue(ParameterRole.Bias, out ParameterMember? bias) ? ", b = " + bias.Info.Name : ", no bias"));

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitAffine(s, p, step, "ConvolutionMap", $"new({p.Geometry})");

        public override string GradientMath(PlannedLayer p) =>
            $"∂W[f, c, i, j] += Σ_y,x {p.ROut}[f, y, x] · {p.In}[c, window (i, j) of (y, x)]"
            + (p.Parameters.ContainsKey(ParameterRole.Bias) ? $", ∂b[f] += Σ_y,x {p.ROut}[f, y, x]" : "");

        public override string GradientCall(EmitScope s, PlannedLayer p)
        {
            string bias = p.Parameters.TryGetValue(ParameterRole.Bias, out ParameterMember? b) ? $"gradients[{b.Index}]" : "default";
            return $"{EmitScope.Kernels}GradientKernels.Convolution<{s.T}>(ws.{p.In}, ws.{p.ROut}, gradients[{p.Parameters[ParameterRole.Weight].Index}], {bias}, in {p.Geometry});";
        }

        private static string Index(string output, int stride, int padding, string tap)
        {
            string scaled = stride == 1 ? output : $"{stride}{output}";
            return padding == 0 ? $"{scaled} + {tap}" : $"{scaled} + {tap} − {padding}";
        }
    }
}
