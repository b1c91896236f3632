namespace Relucent
{
    /// <summary>
    /// Matches named tensors to the parameters a network expects, checking every name and shape before
    /// anything is returned, and converts them to the network's precision (C-order arrays, expected order).
    /// </summary>
    public static class ParameterBinder
    {
        /// <summary>The arrays of <paramref name="expected"/>, in that order, from <paramref name="source"/>.</summary>
        public static T[][] Bind<T>(IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected) => throw new NotImplementedException();
    }
}
