using System.Diagnostics;
using System.Globalization;
using Relucent.Imaging;
using Relucent.Samples.Photographs;

// Explains the pretrained ResNet-18 (ML.NET's image featurizer, imported from ONNX) on four photographs: which pixels
// make one photograph's embedding similar to another's. See the README's "Explaining a pretrained network on photographs".
PhotographsOptions? options = PhotographsOptions.Parse(args, Console.Error);
if (options == null) return 2;
if (options.Help)
{
    Console.WriteLine(PhotographsOptions.Usage);
    return 0;
}

var clock = Stopwatch.StartNew();
ResNet18 net = ResNet18.LoadPretrained();
Console.WriteLine($"Loaded {ResNet18.ModelPath} in {clock.Elapsed.TotalSeconds:F1} s: {ResNet18.Architecture.Parameters.Sum(p => p.Size):N0} values.");
var explainer = new SimilarityExplainer(net, ModelInput.Load(ResNet18.PreprocessPath), SimilarityColumn.Standard(options.Steps));
Photograph[] photographs = PhotographsOptions.Pairs.SelectMany(p => new[] { p.Photograph, p.Other }).Distinct().Select(Photograph.Shipped).ToArray();

// How alike the network finds the photographs: the cosine of their 512 features.
float[][] features = photographs.Select(explainer.Embed).ToArray();
Console.WriteLine();
Console.WriteLine("Cosine similarity of the embeddings:");
Console.WriteLine("".PadRight(11) + string.Concat(photographs.Select(p => p.Name.PadLeft(11))));
for (int i = 0; i < photographs.Length; i++)
{
    Console.WriteLine(photographs[i].Name.PadRight(11) + string.Concat(features.Select(f => Cosine(features[i], f).ToString("F3", CultureInfo.InvariantCulture).PadLeft(11))));
}

Console.WriteLine();
Console.WriteLine($"Maps of f(other)ᵀ·f(photograph): {string.Join(", ", explainer.Columns.Select(c => c.Title))} (integrated gradients: {options.Steps} steps from the mean image; Grad-CAM at {ResNet18.CamLayer}).");
var rows = new List<ExplainedPair>();
foreach ((string photograph, string other) in PhotographsOptions.Pairs)
{
    clock.Restart();
    ExplainedPair row = explainer.Explain(Photograph.Shipped(photograph), Photograph.Shipped(other));
    Console.WriteLine($"  {photograph} against {other}: score {row.Score:F1} (cosine {row.Cosine:F3}), {clock.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine("    " + string.Join(", ", explainer.Columns.Select((c, i) => $"{c.Title} {row.Times[i].TotalMilliseconds:F0} ms")));
    rows.Add(row);
}

// Each column's least time over the pairs (the first pair's include the JIT and the methods' first allocations).
List<string> titles = explainer.Columns.Select(c => c.Title).ToList();
double[] least = titles.Select((_, c) => rows.Min(r => r.Times[c].TotalMilliseconds)).ToArray();
Console.WriteLine($"Least of the {rows.Count} pairs: " + string.Join(", ", titles.Select((t, c) => $"{t} {least[c]:F0} ms"))
    + $"; Grad-CAM costs {least[titles.IndexOf("Grad-CAM")] / least[titles.IndexOf("Saliency")]:F2}× a Saliency map.");

Directory.CreateDirectory(options.Output);
string grid = Path.Combine(options.Output, "photographs-grid.png");
using (var picture = SimilarityGrid.Draw(rows))
{
    Heatmap.SavePng(picture, grid);
    Console.WriteLine();
    Console.WriteLine($"Wrote {grid}: one row per pair, the photograph, the other photograph, then {string.Join(", ", explainer.Columns.Select(c => c.Title))}.");
    if (options.ReadmeImage != null)
    {
        using var half = SimilarityGrid.Half(picture);
        Heatmap.SavePng(half, options.ReadmeImage);
        Console.WriteLine($"Wrote {options.ReadmeImage} (half size).");
    }
}

return 0;

static double Cosine(float[] a, float[] b)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < a.Length; i++)
    {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }

    return ab / Math.Sqrt(aa * bb);
}
