using System.Collections.Generic;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// A float 3×3 stride-1 convolution whose kernels run Winograd's F(2×2, 3×3): the class keeps its weights transformed once
    /// (the runtime's <c>WinogradWeights</c>), rebuilt by <c>ParametersChanged</c>, and passes them to the kernels of every pass
    /// that reads the weight they were made from, instead of the kernels transforming the whole weight on every call.
    /// </summary>
    /// <remarks>
    /// The shapes are the runtime's (<c>Winograd.Fits</c>: at least 8 channels and 8 filters per group, padding at most 2, an
    /// output of at least 2×2, and not above 28×28, where <c>Winograd4</c> runs F(4×4, 3×3) instead); the runtime still decides on the machine (AVX-512) and gives null where Winograd does not
    /// run, and the kernels then transform nothing. They are made from the weight the merged passes read: the BatchNorm-merged
    /// one when the layer has a BatchNorm after it, so the declared passes of such a layer (training, layer methods) pass none.
    /// </remarks>
    internal static class WinogradPreparation
    {
        /// <summary>Whether <paramref name="p"/> keeps transformed weights in a class computing in <paramref name="model"/>'s precision.</summary>
        public static bool Applies(NetworkClass model, PlannedLayer p)
        {
            if (model.UsesDouble || p.Layer is not Conv2DLayer conv || conv.Kernel != 3 || conv.Stride != 1) return false;
            Padding pad = conv.Padding;
            // Maps above 28×28 (64 blocks of 4×4 and more) run F(4×4, 3×3), which transforms its own weights (Winograd4.Pays).
            bool large = (long)((p.Output.Height + 3) / 4) * ((p.Output.Width + 3) / 4) >= 64;
            return p.Input.Channels / conv.Groups >= 8 && conv.Filters / conv.Groups >= 8 && p.Output.Height >= 2 && p.Output.Width >= 2
                && pad.Top <= 2 && pad.Left <= 2 && pad.Bottom <= 2 && pad.Right <= 2 && !large;
        }

        /// <summary>The field: <c>_conv3Winograd</c>.</summary>
        public static string Field(PlannedLayer p) => "_" + p.Parameters[ParameterRole.Weight].LayerStem + "Winograd";

        /// <summary>The names <see cref="EmitField"/> declares.</summary>
        public static IEnumerable<string> FieldNames(PlannedLayer p) => new[] { Field(p) };

        /// <summary>
        /// The kernels' <c>prepared:</c> argument in the pass being written, or null where that pass reads another weight than
        /// the transformed one (the declared passes of a layer with its BatchNorm merged).
        /// </summary>
        public static string? Argument(EmitScope s, PlannedLayer p) =>
            Applies(s.Model, p) && s.Weight(p) == Source(s, p) ? "prepared: " + Field(p) : null;

        /// <summary>The field's declaration, with the comment saying what it holds and when it is rebuilt.</summary>
        public static void EmitField(EmitScope s, PlannedLayer p)
        {
            string from = p.MergedBatchNorm != null ? $", its BatchNorm merged in," : "";
            s.W.Comment($"{p.Heading}: its 3×3 weights{from} transformed once for Winograd's F(2×2, 3×3) (U = G·g·Gᵀ per channel and filter, read "
                + "by the forward and backward kernels instead of transforming on every call; null where the machine runs no Winograd), rebuilt by ParametersChanged.");
            s.W.Line($"private readonly {EmitScope.Kernels}WinogradWeights? {Field(p)};");
        }

        /// <summary>The constructor's statement making the field (room only; <see cref="EmitPrepare"/> fills it).</summary>
        public static void EmitAllocation(EmitScope s, PlannedLayer p) =>
            s.W.Line($"{Field(p)} = {EmitScope.Kernels}WinogradWeights.For(in {p.Geometry});");

        /// <summary><c>ParametersChanged</c>'s statement transforming the weight again, after any merge it reads.</summary>
        public static void EmitPrepare(EmitScope s, PlannedLayer p) => s.W.Line($"{Field(p)}?.Prepare({Source(s, p)});");

        /// <summary>The weight the transform is made from: the merged one when the layer has a BatchNorm after it, else its own.</summary>
        private static string Source(EmitScope s, PlannedLayer p) =>
            p.MergedBatchNorm != null ? MergedBatchNorm.Weight(s, p) : EmitScope.Field(p, ParameterRole.Weight);
    }
}
