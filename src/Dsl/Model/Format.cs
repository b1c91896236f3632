using System.Globalization;

namespace Relucent.Model
{
    /// <summary>Culture-independent number text, so messages and generated code never depend on the machine's locale.</summary>
    public static class Format
    {
        /// <summary>The shortest round-trip text of <paramref name="value"/>: <c>1E-05</c>, <c>0.5</c>.</summary>
        public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
