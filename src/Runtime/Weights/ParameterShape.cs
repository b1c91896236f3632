namespace Relucent
{
    /// <summary>A parameter a network expects: its <c>state_dict</c> name and its PyTorch (C-order) shape.</summary>
    public sealed record ParameterShape(string Name, params int[] Dimensions);
}
