using System.Globalization;

namespace Relucent.Model
{
    /// <summary>Culture-independent number text, so messages and generated code never depend on the machine's locale.</summary>
    public static class Format
    {
        /// <summary>The shortest round-trip text of <paramref name="value"/>: <c>1E-05</c>, <c>0.5</c>.</summary>
        public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A C# string literal: <c>"layer2.0"</c>, with quotes, backslashes and control characters escaped.</summary>
        public static string Literal(string value)
        {
            var text = new System.Text.StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    case '\n': text.Append("\\n"); break;
                    case '\r': text.Append("\\r"); break;
                    case '\t': text.Append("\\t"); break;
                    case '\0': text.Append("\\0"); break;
                    default:
                        if (char.IsControl(c)) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else text.Append(c);
                        break;
                }
            }
            return text.Append('"').ToString();
        }

        /// <summary>An integer's text: <c>-3</c>.</summary>
        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
