using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through BatchNormLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds batch normalisation in eval mode: <c>y = (x − mean) / √(var + eps) · γ + β</c> per channel.</summary>
        public Network BatchNorm(double eps = BatchNormLayer.DefaultEps, string? name = null) => Append(new BatchNormLayer(eps) { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary>
    /// <c>.BatchNorm(eps)</c>: PyTorch <c>nn.BatchNorm2d</c> (or 1d on vectors) in eval mode, a per-channel affine map;
    /// <c>weight</c> (γ), <c>bias</c> (β), <c>running_mean</c> and <c>running_var</c>, each <c>[C]</c>.
    /// </summary>
    public sealed record BatchNormLayer(double Eps) : Layer
    {
        /// <summary>PyTorch's default <c>eps</c>, 1e-5 (ONNX's BatchNormalization has the same default).</summary>
        public const double DefaultEps = 1e-5;

        private static readonly Argument EpsArgument = new Argument("eps");

        internal static readonly LayerCall Kind = new LayerCall("BatchNorm", a => new BatchNormLayer(a.Double(EpsArgument)) { Name = a.Name }, EpsArgument);

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText()
        {
            if (Eps != DefaultEps) yield return "eps: " + Format.Number(Eps);
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            return Eps > 0 ? null : LayerErrors.Invalid(at, EpsArgument, $"BatchNorm eps must be positive, got {Format.Number(Eps)}");
        }

        internal override IEnumerable<ParameterSpec> Parameters(Shape input)
        {
            yield return new ParameterSpec(ParameterRole.Weight, input.Channels);
            yield return new ParameterSpec(ParameterRole.Bias, input.Channels);
            yield return new ParameterSpec(ParameterRole.RunningMean, input.Channels);
            yield return new ParameterSpec(ParameterRole.RunningVar, input.Channels);
        }
    }
}
