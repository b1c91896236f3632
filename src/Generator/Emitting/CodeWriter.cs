using System.Text;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// A minimal indented writer with '\n' line ends on every platform, so generated files are byte-stable
    /// (snapshots compare bytes).
    /// </summary>
    internal sealed class CodeWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        public void Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', 4 * _indent).Append(line);
            _text.Append('\n');
        }

        public void Open(string header)
        {
            Line(header);
            Line("{");
            _indent++;
        }

        public void Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
        }

        public override string ToString() => _text.ToString();
    }
}
