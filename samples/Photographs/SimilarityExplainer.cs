using System.Diagnostics;
using Relucent.Attribution;

namespace Relucent.Samples.Photographs;

/// <summary>
/// Which pixels make two photographs' embeddings similar: for a photograph <c>x</c> and another photograph's embedding
/// <c>s = f(y)</c>, each column's map of the score <c>sᵀ·f(x)</c>, the seed API's target <c>Target.Seed(s)</c>.
/// </summary>
public sealed class SimilarityExplainer
{
    private readonly ILayerExplainer<float> _network;
    private readonly ModelInput _input;

    /// <summary>Explains with <paramref name="network"/> (the pretrained ResNet-18, generated or interpreted) under <paramref name="columns"/>.</summary>
    public SimilarityExplainer(ILayerExplainer<float> network, ModelInput input, IReadOnlyList<SimilarityColumn> columns)
    {
        _network = network;
        _input = input;
        Columns = columns;
    }

    /// <summary>The methods, one column each.</summary>
    public IReadOnlyList<SimilarityColumn> Columns { get; }

    /// <summary>The network's 512 features of <paramref name="photograph"/>.</summary>
    public float[] Embed(Photograph photograph)
    {
        var features = new float[_network.OutputSize];
        _network.Forward(_input.Prepare(photograph), features, Workspace);
        return features;
    }

    /// <summary>Each column's heat plane of <paramref name="photograph"/>'s similarity to <paramref name="other"/>.</summary>
    public ExplainedPair Explain(Photograph photograph, Photograph other)
    {
        float[] x = _input.Prepare(photograph), s = Embed(other), f = Embed(photograph);
        Target target = Target.Seed(s.Select(v => (double)v).ToArray());
        var planes = new float[Columns.Count][];
        var times = new TimeSpan[Columns.Count];
        var clock = new Stopwatch();
        for (int c = 0; c < Columns.Count; c++)
        {
            clock.Restart();
            planes[c] = Columns[c].Heat(_network, x, target);
            times[c] = clock.Elapsed;
        }

        return new ExplainedPair(photograph, other, Dot(s, f), Dot(s, f) / Math.Sqrt(Dot(s, s) * Dot(f, f)), planes, times);
    }

    private IWorkspace Workspace => _workspace ??= _network.CreateWorkspace();

    private IWorkspace? _workspace;

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}

/// <summary>One row of the picture: a photograph explained against another's embedding.</summary>
/// <param name="Photograph">The photograph explained, <c>x</c>.</param>
/// <param name="Other">The photograph whose embedding is the seed, <c>y</c>.</param>
/// <param name="Score">The score explained, <c>f(y)ᵀ·f(x)</c>.</param>
/// <param name="Cosine">The cosine similarity of the two embeddings.</param>
/// <param name="Planes">Each column's heat plane: 224 × 224 values, or a layer's h × w.</param>
/// <param name="Times">How long each column's method took, its forward pass included.</param>
public sealed record ExplainedPair(Photograph Photograph, Photograph Other, double Score, double Cosine, IReadOnlyList<float[]> Planes, IReadOnlyList<TimeSpan> Times);
