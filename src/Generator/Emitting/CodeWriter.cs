using System.Collections.Generic;
using System.Text;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// A minimal indented writer with '\n' line ends on every platform, so generated files are byte-stable (snapshots
    /// compare bytes). Comments and long calls are wrapped so no generated line is wider than <see cref="Width"/>.
    /// </summary>
    internal sealed class CodeWriter
    {
        /// <summary>The widest line written, indentation included.</summary>
        public const int Width = 160;

        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        /// <summary>
        /// One line; a line too wide is wrapped: a comment on <c>//</c> lines, code after a <c>,</c> or before a <c>=&gt;</c>
        /// (never inside a string literal), its continuation indented one level deeper.
        /// </summary>
        public void Line(string line = "")
        {
            if (Fits(line, _indent))
            {
                Write(line);
                return;
            }
            if (line.StartsWith("///", System.StringComparison.Ordinal))
            {
                Doc(line.Substring(3).TrimStart());
                return;
            }
            if (line.StartsWith("//", System.StringComparison.Ordinal))
            {
                Comment(line.Substring(2).TrimStart());
                return;
            }
            string rest = line;
            int level = _indent;
            while (!Fits(rest, level))
            {
                int cut = CodeBreak(rest, Width - 4 * level);
                if (cut <= 0) break;
                WriteAt(level, rest.Substring(0, cut).TrimEnd());
                rest = rest.Substring(cut).TrimStart();
                level = _indent + 1;
            }
            WriteAt(level, rest);
        }

        /// <summary>A C# string literal of <paramref name="text"/>, split into pieces joined by <c>+</c> on lines of their own where too wide; ends with <paramref name="suffix"/>.</summary>
        public void Literal(string text, string suffix)
        {
            int room = Width - 4 * (_indent + 1) - 6; // the quotes, " +" and the escapes' slack
            while (text.Length > room)
            {
                int cut = text.LastIndexOf(' ', room);
                if (cut <= 0) break;
                Line("    \"" + Escape(text.Substring(0, cut + 1)) + "\" +");
                text = text.Substring(cut + 1);
            }
            Line("    \"" + Escape(text) + "\"" + suffix);
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

        /// <summary><c>// text</c>, continued on <c>//   </c> lines where it is too wide.</summary>
        public void Comment(string text) => Wrapped("// ", "//   ", text);

        /// <summary><c>/// text</c> (XML documentation), continued on <c>/// </c> lines where it is too wide.</summary>
        public void Doc(string text) => Wrapped("/// ", "/// ", text);

        /// <summary>
        /// <c>head(arguments)tail</c> on one line, or, when that is too wide, the arguments on continuation lines below
        /// <c>head(</c>, as many to a line as fit.
        /// </summary>
        public void Call(string head, IReadOnlyList<string> arguments, string tail = ";")
        {
            string single = head + "(" + string.Join(", ", arguments) + ")" + tail;
            if (Fits(single, _indent))
            {
                Write(single);
                return;
            }
            Write(head + "(");
            _indent++;
            var line = new StringBuilder();
            for (int i = 0; i < arguments.Count; i++)
            {
                string piece = arguments[i] + (i == arguments.Count - 1 ? ")" + tail : ",");
                if (line.Length > 0 && !Fits(line + " " + piece, _indent))
                {
                    Write(line.ToString());
                    line.Clear();
                }
                line.Append(line.Length > 0 ? " " : "").Append(piece);
            }
            Write(line.ToString());
            _indent--;
        }

        public override string ToString() => _text.ToString();

        private void Write(string line) => WriteAt(_indent, line);

        private void WriteAt(int indent, string line)
        {
            if (line.Length > 0) _text.Append(' ', 4 * indent).Append(line);
            _text.Append('\n');
        }

        // Where to break a code line to fit room characters: after the last ", " or before the last " => " that fits,
        // outside string literals; 0 when there is none.
        private static int CodeBreak(string line, int room)
        {
            int best = 0;
            bool inString = false;
            for (int i = 0; i < line.Length - 1 && i < room; i++)
            {
                char c = line[i];
                if (c == '"' && (i == 0 || line[i - 1] != '\\')) inString = !inString;
                if (inString) continue;
                if (c == ',' && line[i + 1] == ' ') best = i + 1;
                else if (c == ' ' && i + 2 < line.Length && line[i + 1] == '=' && line[i + 2] == '>') best = i;
            }
            return best;
        }

        private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

        private void Wrapped(string first, string next, string text)
        {
            string prefix = first;
            string rest = text;
            while (!Fits(prefix + rest, _indent))
            {
                int room = Width - 4 * _indent - prefix.Length;
                int cut = rest.LastIndexOf(' ', room > 0 && room < rest.Length ? room : rest.Length - 1);
                if (cut <= 0) break; // one word wider than a line: let it be
                Write(prefix + rest.Substring(0, cut));
                rest = rest.Substring(cut + 1);
                prefix = next;
            }
            Write(prefix + rest);
        }

        private static bool Fits(string line, int indent) => 4 * indent + line.Length <= Width;
    }
}
