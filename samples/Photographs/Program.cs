using System.Diagnostics;
using Relucent.Imaging;
using Relucent.Samples.Photographs;

var sw = Stopwatch.StartNew();
ResNet18 net = ResNet18.LoadPretrained();
Console.WriteLine($"load {sw.ElapsedMilliseconds} ms");
var explainer = new SimilarityExplainer(net, ModelInput.Load(ResNet18.PreprocessPath), SimilarityColumn.Standard(int.Parse(args.FirstOrDefault() ?? "16")));
var rows = new List<ExplainedPair>();
foreach ((string a, string b) in new[] { ("astronaut", "rocket"), ("rocket", "astronaut"), ("chelsea", "coffee"), ("coffee", "chelsea") })
{
    sw.Restart();
    ExplainedPair row = explainer.Explain(Photograph.Shipped(a), Photograph.Shipped(b));
    Console.WriteLine($"{a} by {b}: score {row.Score:F1}, cosine {row.Cosine:F3}, {sw.ElapsedMilliseconds} ms");
    rows.Add(row);
}
Heatmap.SavePng(SimilarityGrid.Draw(rows), "/tmp/photos/grid.png");
