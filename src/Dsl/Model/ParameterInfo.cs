namespace Relucent.Model
{
    /// <summary>What a parameter tensor is to its layer, named as in a PyTorch <c>state_dict</c>.</summary>
    public enum ParameterRole
    {
        /// <summary><c>weight</c>: <c>[out, in]</c> for Dense, <c>[out, in, k, k]</c> for Conv2D, <c>[C]</c> (γ) for BatchNorm.</summary>
        Weight,

        /// <summary><c>bias</c>: <c>[out]</c>, or β for BatchNorm.</summary>
        Bias,

        /// <summary><c>running_mean</c> of a BatchNorm.</summary>
        RunningMean,

        /// <summary><c>running_var</c> of a BatchNorm.</summary>
        RunningVar,
    }

    /// <summary>One parameter tensor of a network: its <c>state_dict</c> name, its PyTorch shape and its owner.</summary>
    /// <param name="Name">The full name, <c>"0.weight"</c> or <c>"2.conv1.bias"</c>.</param>
    /// <param name="Dimensions">The shape as PyTorch stores it, C-order.</param>
    /// <param name="Path">Indices of the owning layer (see <see cref="LayerError.Path"/>).</param>
    /// <param name="Role">What the tensor is to its layer.</param>
    public sealed record ParameterInfo(string Name, EquatableArray<int> Dimensions, EquatableArray<int> Path, ParameterRole Role)
    {
        /// <summary>The number of values.</summary>
        public long Size
        {
            get
            {
                long size = 1;
                foreach (int d in Dimensions) size *= d;
                return size;
            }
        }

        /// <summary>The owning module's name: <see cref="Name"/> without its <see cref="Suffix"/>, <c>"2.conv1"</c> for <c>"2.conv1.bias"</c>.</summary>
        public string Module => Name.Substring(0, Name.Length - Suffix(Role).Length - 1);

        /// <summary>The PyTorch suffix for <see cref="Role"/>: <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>.</summary>
        public static string Suffix(ParameterRole role) => role switch
        {
            ParameterRole.Weight => "weight",
            ParameterRole.Bias => "bias",
            ParameterRole.RunningMean => "running_mean",
            _ => "running_var",
        };
    }
}
