namespace Relucent.Model
{
    /// <summary>
    /// One chain inside a block layer: a residual block's branch or shortcut, one of a concatenation's branches. Its
    /// layers start from the block's input.
    /// </summary>
    /// <param name="Layers">The chain, in order; empty for an identity (<c>b =&gt; b</c>).</param>
    /// <param name="Argument">The block call's argument that declares the chain.</param>
    /// <param name="Label">How layer labels name the chain between the block's index and the layer's: "" (<c>2.0</c>), <c>shortcut</c> (<c>2.shortcut.0</c>).</param>
    /// <param name="DefaultPrefix">What goes before an unnamed inner layer's index in parameter names: "" (<c>block.0.weight</c>), <c>downsample.</c>.</param>
    /// <param name="NamedPrefix">What goes before an inner layer's <c>name:</c> in parameter names.</param>
    public sealed record Branch(EquatableArray<Layer> Layers, Argument Argument, string Label, string DefaultPrefix, string NamedPrefix)
    {
        /// <summary>The parameter-name segment of inner layer <paramref name="index"/>: its prefix and its name or index.</summary>
        public string ModuleName(int index) =>
            Layers[index].Name is string name ? NamedPrefix + name : DefaultPrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
