using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through Conv2DLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds a 2-D convolution with a square <paramref name="kernel"/> and zero <paramref name="padding"/> (an <c>int</c> for
        /// every side, or <c>new Padding(top: 3, left: 3, bottom: 2, right: 2)</c>), as <c>nn.Conv2d</c>; with
        /// <paramref name="groups"/>, channels and filters split into groups convolved apart (depthwise when
        /// <paramref name="groups"/> equals the channels); <paramref name="rule"/> is the LRP rule it takes whatever the class's
        /// composite (<c>LrpRule.Gamma(0.25)</c>; null: the composite's).
        /// </summary>
        public Network Conv2D(int filters, int kernel, int stride = 1, Padding padding = default, int groups = 1, bool bias = true, LrpRule? rule = null,
            string? name = null) =>
            Append(new Conv2DLayer(filters, kernel, stride, padding, bias) { Groups = groups, Name = name, Rule = rule });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary>
    /// <c>.Conv2D(filters, kernel, stride, padding, groups, bias)</c>: PyTorch <c>nn.Conv2d</c> (cross-correlation), square
    /// kernel, zero padding per side; <c>weight [filters, channels / groups, k, k]</c>, <c>bias [filters]</c> unless <c>bias: false</c>.
    /// </summary>
    public sealed record Conv2DLayer(int Filters, int Kernel, int Stride, Padding Padding, bool Bias) : Layer
    {
        private static readonly Argument FiltersArgument = new Argument("filters");
        private static readonly Argument KernelArgument = new Argument("kernel");
        private static readonly Argument StrideArgument = new Argument("stride");
        private static readonly Argument PaddingArgument = new Argument("padding");
        private static readonly Argument GroupsArgument = new Argument("groups");
        private static readonly Argument BiasArgument = new Argument("bias");
        private static readonly Argument RuleArgument = new Argument("rule");

        internal static readonly LayerCall Kind = new LayerCall(
            "Conv2D",
            a => new Conv2DLayer(a.Int(FiltersArgument), a.Int(KernelArgument), a.Int(StrideArgument), a.Padding(PaddingArgument), a.Bool(BiasArgument))
            {
                Groups = a.Int(GroupsArgument),
                Name = a.Name,
                Rule = a.Rule(RuleArgument),
            },
            FiltersArgument, KernelArgument, StrideArgument, PaddingArgument, GroupsArgument, BiasArgument, RuleArgument);

        /// <summary>The number of groups the channels and filters are split into (1: an ordinary convolution).</summary>
        public int Groups { get; init; } = 1;

        /// <summary>The LRP rule this layer takes whatever the composite (<c>rule:</c>), or null for the composite's.</summary>
        public LrpRule? Rule { get; init; }

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText()
        {
            yield return Format.Int(Filters);
            yield return "kernel: " + Format.Int(Kernel);
            if (Stride != 1) yield return "stride: " + Format.Int(Stride);
            if (!Padding.IsZero) yield return "padding: " + Padding;
            if (Groups != 1) yield return "groups: " + Format.Int(Groups);
            if (!Bias) yield return "bias: false";
            if (Rule != null) yield return "rule: " + Rule;
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            LayerError? error = LayerErrors.Positive(at, "Conv2D", FiltersArgument, Filters)
                ?? LayerErrors.Positive(at, "Conv2D", KernelArgument, Kernel)
                ?? LayerErrors.Positive(at, "Conv2D", StrideArgument, Stride)
                ?? LayerErrors.NotNegative(at, "Conv2D", PaddingArgument, Padding)
                ?? LayerErrors.Positive(at, "Conv2D", GroupsArgument, Groups)
                ?? LayerErrors.ValidRule(at, RuleArgument, Rule)
                ?? LayerErrors.NeedsImage(at, "Conv2D", input);
            if (error != null) return error;
            if (input.Channels % Groups != 0 || Filters % Groups != 0)
            {
                return LayerErrors.Mismatch(at, GroupsArgument,
                    $"Conv2D groups {Groups} must divide both its input channels ({input.Channels}) and its filters ({Filters})");
            }
            long paddedHeight = WindowArithmetic.Padded(input.Height, Padding.Top, Padding.Bottom);
            long paddedWidth = WindowArithmetic.Padded(input.Width, Padding.Left, Padding.Right);
            if (paddedHeight < 0 || paddedWidth < 0) return LayerErrors.TooLarge(at, $"Conv2D's padded input {input.Channels}×{(long)input.Height + Padding.Top + Padding.Bottom}×{(long)input.Width + Padding.Left + Padding.Right}");
            if (Kernel > paddedHeight || Kernel > paddedWidth)
            {
                return LayerErrors.Mismatch(at, KernelArgument, $"Conv2D kernel {Kernel} is larger than its padded input {paddedHeight}×{paddedWidth}");
            }
            WindowArithmetic.TryOutputSize(input.Height, Kernel, Stride, Padding.Top, Padding.Bottom, ceilMode: false, out int height);
            WindowArithmetic.TryOutputSize(input.Width, Kernel, Stride, Padding.Left, Padding.Right, ceilMode: false, out int width);
            if (WindowArithmetic.Elements(Filters, input.Channels / Groups, Kernel, Kernel) < 0)
            {
                return LayerErrors.TooLarge(at, $"Conv2D weight [{Filters}, {input.Channels / Groups}, {Kernel}, {Kernel}]");
            }
            if (WindowArithmetic.Elements(Filters, height, width) < 0) return LayerErrors.TooLarge(at, $"Conv2D output [{Filters}, {height}, {width}]");
            // The kernels' largest scratch buffer (a padded input, an im2col matrix, a Winograd transform) must fit too.
            if (!KernelScratch.ConvolutionFits(input.Channels, input.Height, input.Width, Filters, Kernel, Stride,
                    Padding.Top, Padding.Left, Padding.Bottom, Padding.Right, Groups))
            {
                return LayerErrors.TooLarge(at, $"Conv2D's working buffers for the input {input}");
            }
            output = Shape.Image(Filters, height, width);
            return null;
        }

        internal override IEnumerable<ParameterSpec> Parameters(Shape input)
        {
            yield return new ParameterSpec(ParameterRole.Weight, Filters, input.Channels / Groups, Kernel, Kernel);
            if (Bias) yield return new ParameterSpec(ParameterRole.Bias, Filters);
        }
    }
}
