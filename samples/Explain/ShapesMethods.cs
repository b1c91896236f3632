using Relucent.Attribution;
using Relucent.Samples.Shapes;

namespace Relucent.Explain
{
    /// <summary>The attribution methods of the explain commands, by their command-line names, and what each computes.</summary>
    internal static class ShapesMethods
    {
        /// <summary>The methods, as named on the command line.</summary>
        public static IReadOnlyList<string> Names { get; } = ["saliency", "deconvnet", "guidedbackprop", "integrated-gradients", "smoothgrad"];

        /// <summary>The method's name as the reports title its maps: <c>GuidedBackprop</c>, <c>IntegratedGradients</c>.</summary>
        public static string Title(string method) => method switch
        {
            "saliency" => "Saliency",
            "deconvnet" => "DeconvNet",
            "guidedbackprop" => "GuidedBackprop",
            "integrated-gradients" => "IntegratedGradients",
            "smoothgrad" => "SmoothGrad",
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not a method of the explain commands."),
        };

        /// <summary>The raw signed map [3, 32, 32] of <paramref name="x"/> for class <paramref name="target"/>.</summary>
        public static float[] Map(ShapesCnn net, string method, float[] x, int target, int steps, int samples) => method switch
        {
            "saliency" => net.Explain(BackwardRule.Saliency, x, target),
            "deconvnet" => net.Explain(BackwardRule.DeconvNet, x, target),
            "guidedbackprop" => net.Explain(BackwardRule.GuidedBackprop, x, target),
            "integrated-gradients" => net.IntegratedGradients(x, target, steps: steps),
            "smoothgrad" => net.SmoothGrad(x, target, samples: samples),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Not a method of the explain commands."),
        };
    }
}
