namespace Relucent.Kernels
{
    /// <summary>Argument checks shared by the kernels: a wrong buffer length is a bug worth naming, never a silent overrun.</summary>
    internal static class Check
    {
        public static void Length<T>(ReadOnlySpan<T> span, int expected, string name)
        {
            if (span.Length != expected)
            {
                throw new ArgumentException($"{name} has {span.Length} values, expected {expected}.", name);
            }
        }
    }
}
