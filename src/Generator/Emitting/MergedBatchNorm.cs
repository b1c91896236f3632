using System.Collections.Generic;
using System.Linq;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// A convolution or dense layer with the BatchNorm right after it merged in (<see cref="PlannedLayer.MergedBatchNorm"/>), as
    /// the merged passes compute it: the fields holding its merged weight and bias (the LRP parameters' own when the class has
    /// LRP composites, which merge the same way), how <c>ParametersChanged</c> rebuilds them, and the sentences its blocks state.
    /// </summary>
    internal static class MergedBatchNorm
    {
        /// <summary>The merge, as each comment states it.</summary>
        public const string Formula = "W' = W·s, b' = (b − μ)·s + β, s = γ / √(σ² + eps) per output";

        /// <summary>The merged weight the kernels read: <c>_conv0MergedWeight</c>, or <c>_conv0Lrp.Weight</c> in a class with LRP composites.</summary>
        public static string Weight(EmitScope s, PlannedLayer p) => s.HasLrp ? LrpBlocks.WeightsField(p) + ".Weight" : Field(p, "Weight");

        /// <summary>The merged bias: <c>_conv0MergedBias</c>, or <c>_conv0Lrp.Bias</c>.</summary>
        public static string Bias(EmitScope s, PlannedLayer p) => s.HasLrp ? LrpBlocks.WeightsField(p) + ".Bias" : Field(p, "Bias");

        /// <summary>The fields <see cref="EmitFields"/> declares (none in a class with LRP composites: their parameters hold the merge).</summary>
        public static IEnumerable<string> FieldNames(PlannedLayer p) => new[] { Field(p, "Weight"), Field(p, "Bias") };

        /// <summary>The merged weight's and bias's fields, allocated by <see cref="EmitAllocation"/> and filled by <see cref="EmitMerge"/>.</summary>
        public static void EmitFields(EmitScope s, PlannedLayer p)
        {
            s.W.Comment($"{p.Heading} with {p.MergedBatchNorm!.Label}'s BatchNorm merged in, for the merged passes: {Formula}, rebuilt by ParametersChanged.");
            s.W.Line($"private readonly {s.T}[] {Field(p, "Weight")};");
            s.W.Line($"private readonly {s.T}[] {Field(p, "Bias")};");
        }

        /// <summary>
        /// The constructor's statements allocating the fields of <see cref="EmitFields"/>: after the base constructor, which
        /// hands a large load's garbage back first (as field initialisers they would add to the load's peak).
        /// </summary>
        public static void EmitAllocation(EmitScope s, PlannedLayer p)
        {
            s.W.Line($"{Field(p, "Weight")} = new {s.T}[{p.Parameters[ParameterRole.Weight].Info.Size}];");
            s.W.Line($"{Field(p, "Bias")} = new {s.T}[{p.MergedBatchNorm!.Input.Channels}];");
        }

        /// <summary>The statement filling the fields of <see cref="EmitFields"/> from the layer's and its BatchNorm's parameters.</summary>
        public static void EmitMerge(EmitScope s, PlannedLayer p) =>
            s.Kernel($"NormalizationKernels.Merge<{s.T}>",
                new[] { EmitScope.Field(p, ParameterRole.Weight), OwnBias(p) }.Concat(BatchNormArguments(p.MergedBatchNorm!)).Concat(new[] { Field(p, "Weight"), Field(p, "Bias") }).ToArray());

        /// <summary>The layer's bias field, or <c>default</c> (no bias: the merged bias is <c>β − μ·s</c>).</summary>
        public static string OwnBias(PlannedLayer p) => p.Parameters.ContainsKey(ParameterRole.Bias) ? EmitScope.Field(p, ParameterRole.Bias) : "default";

        /// <summary>A BatchNorm's parameters as a merge reads them: γ, β, μ, σ² and <c>eps: …</c>.</summary>
        public static IEnumerable<string> BatchNormArguments(PlannedLayer batchNorm) => new[]
        {
            EmitScope.Field(batchNorm, ParameterRole.Weight), EmitScope.Field(batchNorm, ParameterRole.Bias),
            EmitScope.Field(batchNorm, ParameterRole.RunningMean), EmitScope.Field(batchNorm, ParameterRole.RunningVar),
            "eps: " + Format.Number(((BatchNormLayer)batchNorm.Layer).Eps),
        };

        /// <summary>The merged layer's forward comment: what it computes, from which parameters, and why it is one kernel.</summary>
        public static string ForwardMath(PlannedLayer p, string target)
        {
            PlannedLayer batchNorm = p.MergedBatchNorm!;
            string map = p.Layer is Conv2DLayer ? $"the convolution of {p.In} with W' plus b'" : $"W'·{p.In} + b'";
            string bias = p.Parameters.TryGetValue(ParameterRole.Bias, out ParameterMember? b) ? "b = " + b.Info.Name : "b = 0 (no bias)";
            return $"{p.Heading} with {batchNorm.Heading} merged in: {target} = {map}, {Formula} (W = {p.Parameters[ParameterRole.Weight].Text}, {bias}, "
                + $"γ, β, μ, σ² = {batchNorm.Parameters[ParameterRole.Weight].Info.Name} … {batchNorm.Parameters[ParameterRole.RunningVar].Info.Name}, "
                + $"eps = {Format.Number(((BatchNormLayer)batchNorm.Layer).Eps)}): one kernel where the declared layers take two passes";
        }

        /// <summary>The merged layer's backward comment.</summary>
        public static string BackwardMath(PlannedLayer p)
        {
            PlannedLayer batchNorm = p.MergedBatchNorm!;
            string map = p.Layer is Conv2DLayer ? $"the transposed convolution of {batchNorm.ROut} with W'" : $"W'ᵀ·{batchNorm.ROut}";
            return $"{p.Heading} backward with {batchNorm.Label}'s BatchNorm merged in: {p.RIn} = {map}, W' = W·s per output: the BatchNorm's scale "
                + "is in the weights, so it needs no pass of its own";
        }

        /// <summary>The comment standing for a merged BatchNorm's block, forward or backward.</summary>
        public static string Note(PlannedLayer batchNorm, bool forward)
        {
            PlannedLayer layer = batchNorm.MergedInto!;
            string what = !forward ? $"whose block below reads {batchNorm.ROut}"
                : layer.MergedRectifier is PlannedLayer rectifier ? $"whose block above writes {rectifier.Out} ({batchNorm.Out} is never stored)"
                : $"whose block above writes {batchNorm.Out}";
            return $"{batchNorm.Heading}{(forward ? "" : " backward")}: merged into {layer.Label}'s weights and bias, {what}; no call of its own";
        }

        private static string Field(PlannedLayer p, string what) => "_" + p.Parameters[ParameterRole.Weight].LayerStem + "Merged" + what;
    }
}
