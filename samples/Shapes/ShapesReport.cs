using System.Globalization;
using Relucent.Imaging;
using Relucent.Metrics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// The sample's HTML report (<see cref="HtmlReport"/>): what was trained, the tables of numbers, and each pictured
    /// test image with its prediction and every method's map, titled with the method's name and captioned with its metrics.
    /// </summary>
    internal static class ShapesReport
    {
        public static HtmlReport Build(string summary, IReadOnlyList<ReportTable> tables, IEnumerable<ShapesApp.Measured> pictured)
        {
            var culture = CultureInfo.InvariantCulture;
            var report = new HtmlReport("Relucent · Shapes");
            report.Notes.Add(summary);
            report.Notes.Add("Each map is |map|, maximum over channels, for the class named above it, clipped at its 99th percentile for display (black: none, white: the most). "
                + "Under each map of the labelled class: whether its largest value lies on the labelled object (pointing game), the share of the map on the object, and the deletion AUC (lower is better). "
                + "An image with a distractor also shows the masks (labelled object white, distractor orange) and the maps for the distractor's class.");
            foreach (ReportTable table in tables) report.Tables.Add(table);

            foreach (ShapesApp.Measured m in pictured)
            {
                ShapeImage image = m.Image;
                string label = ShapesCnn.Classes[image.Label];
                var example = new ReportExample($"Test image {m.Index}: {label}" + (image.HasDistractor ? $" with a smaller {ShapesCnn.Classes[image.Distractor]}" : ""));
                example.Facts.Add(("label", $"{label} (class {image.Label})"));
                example.Facts.Add(("prediction", $"{ShapesCnn.Classes[m.Predicted]} (class {m.Predicted}), p = {m.Probabilities[m.Predicted].ToString("F3", culture)}" + (m.Predicted == image.Label ? "" : ": wrong")));
                if (image.HasDistractor) example.Facts.Add(("distractor", $"{ShapesCnn.Classes[image.Distractor]} (class {image.Distractor}), p = {m.Probabilities[image.Distractor].ToString("F3", culture)}"));

                Add(example, "input", ShapesPictures.Input(image), null);
                for (int k = 0; k < ShapesApp.Methods.Count; k++)
                {
                    bool pointing = Localisation.PointingGame<float>(m.LabelMaps[k], image.Mask);
                    double mass = Localisation.MassInside<float>(m.LabelMaps[k], image.Mask);
                    Add(example, ShapesApp.Methods[k].Name, ShapesPictures.Map(m.LabelMaps[k]),
                        $"{label}: pointing {(pointing ? "✓" : "✗")} · on object {Share(mass, culture)} · deletion AUC {m.Deletion[k].ToString("F3", culture)}");
                }

                if (m.DistractorMaps is { } distractorMaps)
                {
                    string distractor = ShapesCnn.Classes[image.Distractor];
                    Add(example, "masks", ShapesPictures.Masks(image), "labelled object white, distractor orange");
                    for (int k = 0; k < ShapesApp.Methods.Count; k++)
                    {
                        bool pointing = Localisation.PointingGame<float>(distractorMaps[k], image.DistractorMask);
                        double mass = Localisation.MassInside<float>(distractorMaps[k], image.DistractorMask);
                        Add(example, $"{ShapesApp.Methods[k].Name}, for {distractor}", ShapesPictures.Map(distractorMaps[k]),
                            $"{distractor}: pointing at the distractor {(pointing ? "✓" : "✗")} · on it {Share(mass, culture)}");
                    }
                }

                report.Examples.Add(example);
            }

            return report;
        }

        // A share of the map's mass; a map zero everywhere (Grad-CAM's positive part can be) has none.
        private static string Share(double mass, IFormatProvider culture) => double.IsNaN(mass) ? "– (map zero everywhere)" : mass.ToString("P0", culture);

        private static void Add(ReportExample example, string title, Image<Rgb24> picture, string? caption)
        {
            using (picture)
            {
                example.Figures.Add(ReportFigure.Of(title, picture, caption));
            }
        }
    }
}
