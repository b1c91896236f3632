using System.Collections.Generic;
using System.Linq;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// The name of every member the emitter writes into a network's class, from the same plan and naming the emitter
    /// uses, so that a user member of the same name is reported (RLC016) instead of failing to compile. A test checks the
    /// emitted classes declare nothing outside this list.
    /// </summary>
    internal static class GeneratedMembers
    {
        // Written for every network, whatever its layers.
        private static readonly string[] Always =
        {
            "InputSize", "OutputSize", "Architecture", "ParameterShapes", "s_parameterShapes", "s_rules", "Create", "Load", "FromTensors",
            "Workspace", "RunForward", "RunBackward", "Backward",
        };

        public static IEnumerable<string> For(NetworkClass model)
        {
            ParameterNames.List(model.Input, model.Layers, out ParameterInfo[] infos);
            List<ParameterMember> parameters = ParameterMember.For(infos);
            BufferPlan plan = BufferPlan.Create(model.Input, model.Layers, parameters);
            IEnumerable<string> names = Always
                .Concat(model.Rules.SelectMany(r => new[] { r.ToString(), r + "Derivation" }))
                .Concat(parameters.SelectMany(p => new[] { p.Property, p.Field }))
                .Concat(plan.All.Where(l => l.Geometry != null).Select(l => l.Geometry!))
                .Concat(plan.All.SelectMany(l => l.Kind.DerivedFieldNames(l)));
            bool lrp = model.Rules.Any(r => r.IsLrp());
            if (lrp)
            {
                PlannedLayer[] affine = plan.All.Where(l => l.Layer is Conv2DLayer || l.Layer is DenseLayer).ToArray();
                names = names.Concat(model.Rules.Where(r => r.IsLrp()).Select(r => "Relevance" + r)).Concat(affine.Select(Lrp.LrpBlocks.WeightsField));
                if (affine.Length > 0) names = names.Concat(new[] { "ParametersChanged" });
            }
            if (model.Input.IsImage && model.Input.Channels == 1) names = names.Concat(new[] { "Forward" });
            if (plan.All.Any(l => l.Kind.DerivesFromParameters)) names = names.Concat(new[] { "ParametersChanged" });
            if (plan.All.Any(l => l.NamedIndex != null)) names = names.Concat(new[] { "LayerBuffers" });
            PlannedLayer[] prepared = plan.All.Where(l => WinogradPreparation.Applies(model, l)).ToArray();
            if (prepared.Length > 0) names = names.Concat(new[] { "ParametersChanged" }).Concat(prepared.SelectMany(WinogradPreparation.FieldNames));
            PlannedLayer[] merged = plan.All.Where(l => l.MergedBatchNorm != null).ToArray();
            if (merged.Length > 0)
            {
                names = names.Concat(new[] { "RunDeclaredForward" });
                if (model.Rules.Any(r => !r.IsLrp())) names = names.Concat(new[] { "MergedBackward" });
                if (!lrp) names = names.Concat(merged.SelectMany(MergedBatchNorm.FieldNames));
            }
            return names.Distinct();
        }
    }
}
