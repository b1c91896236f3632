using Relucent.Imaging;
using Relucent.Metrics;
using Spectre.Console;

namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// The sample's numbers as tables, computed once and shown twice: on the console (Spectre tables) and in the HTML
    /// report (<see cref="ReportTable"/>).
    /// </summary>
    internal static class ShapesTables
    {
        /// <summary>The table of every method for the labelled class, and, when some images have a distractor, the class-sensitivity table.</summary>
        public static List<ReportTable> Build(ShapesApp.Measured[] measured, ModelRandomisationResult[] sanity, int sanityImages)
        {
            IReadOnlyList<ShapesApp.Method> methods = ShapesApp.Methods;
            int n = measured.Length;
            double maskArea = measured.Average(m => m.Image.Mask.Count(b => b)) / ShapesDataset.Plane;
            int correct = measured.Count(m => m.Predicted == m.Image.Label);
            var rows = new List<IReadOnlyList<string>>();
            for (int k = 0; k < methods.Count; k++)
            {
                double pointing = measured.Average(m => Localisation.PointingGame<float>(m.LabelMaps[k], m.Image.Mask) ? 1.0 : 0.0);
                double mass = MeanOfDefined(measured.Select(m => Localisation.MassInside<float>(m.LabelMaps[k], m.Image.Mask)));
                double area = measured.Average(m => m.Deletion[k]);
                RandomisationStep top = sanity[k].Steps[0], all = sanity[k].Steps[^1];
                rows.Add([methods[k].Name, $"{pointing:P1}", Defined(mass, $"{mass:P1}"), $"{area:F3}", Defined(top.SpearmanOfAbsolute, $"{top.SpearmanOfAbsolute:F2}"),
                    Defined(all.SpearmanOfAbsolute, $"{all.SpearmanOfAbsolute:F2}")]);
            }

            rows.Add([
                "random map",
                $"{measured.Average(m => Localisation.PointingGame<float>(m.RandomMap, m.Image.Mask) ? 1.0 : 0.0):P1}",
                $"{measured.Average(m => Localisation.MassInside<float>(m.RandomMap, m.Image.Mask)):P1}",
                $"{measured.Average(m => m.RandomDeletion):F3}",
                "–",
                "–"]);
            var tables = new List<ReportTable>
            {
                new(
                    $"Explaining {n} test images ({correct} classified correctly), labelled class",
                    ["method", "pointing game ↑", "mass on object ↑", "deletion AUC ↓", "random top layer: ρ ↓", "random all layers: ρ ↓"],
                    rows,
                    $"Maps are |map|, maximum over channels, for the labelled class. Pointing game: the map's largest value lies on the labelled object (for a random pixel: {maskArea:P1} of the time). "
                    + "Mass on object: the share of the map's total on the labelled object. "
                    + $"Deletion AUC: area under the softmax probability of the labelled class while pixels, most attributed first and {ShapesApp.DeletionPixelsPerStep} at a time, are replaced by the image's mean colour. "
                    + $"Random top / all layers (Adebayo et al. 2018): Spearman ρ between |map| of the trained network and |map| once its top layer, then all {sanity[0].Layers.Count} layers, are re-initialised, "
                    + $"mean over {sanityImages} test images: near 0 the map depends on what the network learned (the check passes); near 1 it hardly does. "
                    + "Grad-CAM's map is its positive part at relu3, enlarged bilinearly; it can be zero everywhere, and such a map has no mass and no rank correlation: "
                    + "the mass leaves those images out, and a ρ that includes one is shown as –."),
            };

            ShapesApp.Measured[] withDistractor = measured.Where(m => m.DistractorMaps is not null).ToArray();
            if (withDistractor.Length == 0) return tables;
            var classes = new List<IReadOnlyList<string>>();
            for (int k = 0; k < methods.Count; k++)
            {
                int onLabel = 0, onDistractor = 0, both = 0;
                var rhos = new List<double>();
                foreach (ShapesApp.Measured m in withDistractor)
                {
                    bool a = Localisation.PointingGame<float>(m.LabelMaps[k], m.Image.Mask);
                    bool b = Localisation.PointingGame<float>(m.DistractorMaps![k], m.Image.DistractorMask);
                    onLabel += a ? 1 : 0;
                    onDistractor += b ? 1 : 0;
                    both += a && b ? 1 : 0;
                    rhos.Add(RankCorrelation.Spearman<float>(m.LabelMaps[k], m.DistractorMaps[k]));
                }

                int count = withDistractor.Length;
                classes.Add([methods[k].Name, ShapesApp.Percent(onLabel, count), ShapesApp.Percent(onDistractor, count), ShapesApp.Percent(both, count), Defined(MeanOfDefined(rhos), $"{MeanOfDefined(rhos):F2}")]);
            }

            tables.Add(new(
                $"Class sensitivity: {withDistractor.Length} images with a distractor, maps for the labelled class and for the distractor's class",
                ["method", "labelled map → labelled object ↑", "distractor map → distractor ↑", "both: different objects ↑", "ρ between the two maps ↓"],
                classes,
                "A class-sensitive method points at the labelled object in the labelled class's map and at the distractor in the distractor class's map (both: the two maps point at different objects), and its two maps differ (low ρ). "
                + "DeconvNet and guided backpropagation are known to be weakly class-sensitive: their maps largely reconstruct the image whatever class is asked for (Nie et al. 2018; Adebayo et al. 2018). The numbers above are what this network gives. "
                + "ρ leaves out a pair with a map that is zero everywhere (Grad-CAM's can be)."));
            return tables;
        }

        // The mean of the values that are defined (a map zero everywhere has no mass and no rank correlation: NaN); NaN if none is.
        private static double MeanOfDefined(IEnumerable<double> values)
        {
            double[] defined = values.Where(v => !double.IsNaN(v)).ToArray();
            return defined.Length == 0 ? double.NaN : defined.Average();
        }

        private static string Defined(double value, string text) => double.IsNaN(value) ? "–" : text;

        /// <summary>Writes <paramref name="table"/> to the console: the first column left-aligned, the numbers right-aligned, the note in grey under it.</summary>
        public static void Write(IAnsiConsole console, ReportTable table)
        {
            var spectre = new Table().Title(Markup.Escape(table.Title));
            for (int c = 0; c < table.Columns.Count; c++)
            {
                var column = new TableColumn(Markup.Escape(table.Columns[c]));
                spectre.AddColumn(c == 0 ? column.NoWrap() : column.RightAligned());
            }

            foreach (IReadOnlyList<string> row in table.Rows) spectre.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(spectre);
            if (table.Note is { } note) console.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        }
    }
}
