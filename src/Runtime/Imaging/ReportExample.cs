namespace Relucent.Imaging
{
    /// <summary>
    /// One explained input of an <see cref="HtmlReport"/>: a title, facts about it (the prediction, the label), and its
    /// pictures in order (the input, then each method's map, each titled with the method's name and captioned with its metrics).
    /// </summary>
    public sealed class ReportExample
    {
        /// <summary>An example titled <paramref name="title"/> (<c>"test image 3: triangle"</c>).</summary>
        public ReportExample(string title)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(title);
            Title = title;
        }

        /// <summary>The heading of the example.</summary>
        public string Title { get; }

        /// <summary>Named facts, shown in order under the title: <c>("prediction", "triangle, p = 0.93")</c>.</summary>
        public IList<(string Name, string Value)> Facts { get; } = new List<(string Name, string Value)>();

        /// <summary>The pictures, shown in a row in order.</summary>
        public IList<ReportFigure> Figures { get; } = new List<ReportFigure>();
    }
}
