using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>
/// A second computation of every rule-bearing step, independent of autograd: the step as a dense matrix M (read off
/// by applying it to unit inputs) and the rule's formula as explicit sums in plain double arithmetic, with
/// M⁺ = max(M, 0), M⁻ = min(M, 0) (a convolution joins an input and an output through at most one kernel tap, so
/// clamping the kernel clamps the matrix). Used on the tiny networks, where M is small.
/// </summary>
public static class NaiveCheck
{
    /// <summary>The largest difference over the steps of one propagation, each relative to that step's largest relevance.</summary>
    public static double Worst(Tape tape, Composite composite, Relevance result)
    {
        double worst = 0;
        foreach (var step in tape.Steps)
        {
            var x = tape.Values[step.Inputs[0]];
            var r = result.ById(step.Output);
            switch (step)
            {
                case AffineStep affine:
                    var rule = composite.RuleFor(affine, tape);
                    worst = Math.Max(worst, Difference(rule.Relevance(affine, x, r), Affine(affine, rule, x, r)));
                    break;
                case NormStep norm:
                    var engine = NormRule.Relevance(norm.Apply, x, r, composite.NormEpsilon);
                    worst = Math.Max(worst, Difference(engine, Norm(Matrix(norm.Apply, x), Flat(x), Flat(r), composite.NormEpsilon)));
                    break;
                case SumStep when composite.HookedSum:
                    var a = Flat(x);
                    var b = Flat(tape.Values[step.Inputs[1]]);
                    var rs = Flat(r);
                    var stacked = NormRule.Relevance(t => t.sum(-1), SumStep.Stack(x, tape.Values[step.Inputs[1]]), r, composite.NormEpsilon);
                    var c = rs.Select((v, j) => v / Stabilize(a[j] + b[j], composite.NormEpsilon)).ToArray();
                    worst = Math.Max(worst, Difference(stacked.select(-1, 0), a.Select((v, j) => v * c[j]).ToArray()));
                    worst = Math.Max(worst, Difference(stacked.select(-1, 1), b.Select((v, j) => v * c[j]).ToArray()));
                    break;
            }
        }
        return worst;
    }

    private static double[] Affine(AffineStep step, AffineRule rule, Tensor input, Tensor relevance)
    {
        var m = Matrix(t => step.Apply(t, step.Weight, null), input);
        var x = Flat(input);
        var r = Flat(relevance);
        int outputs = m.GetLength(0);
        var b = step.Bias is null ? new double[outputs] : Repeat(Flat(step.Bias), outputs);
        var plus = Map(m, v => Math.Max(v, 0.0));
        var minus = Map(m, v => Math.Min(v, 0.0));
        var xp = x.Select(v => Math.Max(v, 0.0)).ToArray();
        var xn = x.Select(v => Math.Min(v, 0.0)).ToArray();
        const double e = Stabilizer.Default;
        switch (rule)
        {
            case EpsilonRule epsilon:
                {
                    var c = Divide(r, Add(Times(m, x), b), epsilon.Epsilon);
                    return Hadamard(x, TimesTransposed(m, c));
                }
            case ZPlusRule:
                {
                    var c = Divide(r, Add(Add(Times(plus, xp), Times(minus, xn)), b.Select(v => Math.Max(v, 0.0)).ToArray()), e);
                    return Add(Hadamard(xp, TimesTransposed(plus, c)), Hadamard(xn, TimesTransposed(minus, c)));
                }
            case AlphaBetaRule ab:
                {
                    var cp = Divide(r, Add(Add(Times(plus, xp), Times(minus, xn)), b.Select(v => Math.Max(v, 0.0)).ToArray()), e);
                    var cn = Divide(r, Add(Add(Times(minus, xp), Times(plus, xn)), b.Select(v => Math.Min(v, 0.0)).ToArray()), e);
                    var positive = Add(Hadamard(xp, TimesTransposed(plus, cp)), Hadamard(xn, TimesTransposed(minus, cp)));
                    var negative = Add(Hadamard(xp, TimesTransposed(minus, cn)), Hadamard(xn, TimesTransposed(plus, cn)));
                    return positive.Select((v, i) => ab.Alpha * v - ab.Beta * negative[i]).ToArray();
                }
            case GammaRule gamma:
                {
                    var up = Map(m, v => v + gamma.Gamma * Math.Max(v, 0.0));
                    var down = Map(m, v => v + gamma.Gamma * Math.Min(v, 0.0));
                    var z = Add(Times(m, x), b);
                    var zp = Add(Add(Times(up, xp), Times(down, xn)), b.Select(v => v + gamma.Gamma * Math.Max(v, 0.0)).ToArray());
                    var zn = Add(Add(Times(down, xp), Times(up, xn)), b.Select(v => v + gamma.Gamma * Math.Min(v, 0.0)).ToArray());
                    var cp = Divide(r.Select((v, j) => z[j] > 0 ? v : 0.0).ToArray(), zp, e);
                    var cn = Divide(r.Select((v, j) => z[j] < 0 ? v : 0.0).ToArray(), zn, e);
                    return Add(Hadamard(xp, Add(TimesTransposed(up, cp), TimesTransposed(down, cn))),
                               Hadamard(xn, Add(TimesTransposed(down, cp), TimesTransposed(up, cn))));
                }
            case ZBoxRule box:
                {
                    var low = Enumerable.Repeat(box.Low, x.Length).ToArray();
                    var high = Enumerable.Repeat(box.High, x.Length).ToArray();
                    // The biases b, b⁺, b⁻ cancel: b − b⁺ − b⁻ = 0.
                    var lowPart = Times(plus, low);
                    var highPart = Times(minus, high);
                    var z = Times(m, x).Select((v, j) => v - lowPart[j] - highPart[j]).ToArray();
                    var c = Divide(r, z, e);
                    var mc = TimesTransposed(m, c);
                    var pc = TimesTransposed(plus, c);
                    var nc = TimesTransposed(minus, c);
                    return x.Select((v, i) => v * mc[i] - low[i] * pc[i] - high[i] * nc[i]).ToArray();
                }
            case FlatRule:
                {
                    var ones = Matrix(t => step.Apply(t, torch.ones_like(step.Weight), null), input);
                    var c = Divide(r, Times(ones, Enumerable.Repeat(1.0, x.Length).ToArray()), e);
                    return TimesTransposed(ones, c);
                }
            default:
                throw new NotSupportedException(rule.Name);
        }
    }

    private static double[] Norm(double[,] p, double[] x, double[] r, double epsilon) =>
        Hadamard(x, TimesTransposed(p, Divide(r, Times(p, x), epsilon)));

    /// <summary>M[j, i] = output j of <paramref name="function"/> applied to the unit input i (inputs shaped as <paramref name="like"/>).</summary>
    private static double[,] Matrix(Func<Tensor, Tensor> function, Tensor like)
    {
        long n = like.numel();
        var basis = torch.eye(n, dtype: ScalarType.Float64).view(new[] { n }.Concat(like.shape.Skip(1)).ToArray());
        Tensor columns;
        using (torch.no_grad()) columns = function(basis).reshape(n, -1);
        var values = columns.t().contiguous().data<double>().ToArray();
        int rows = (int)columns.shape[1];
        var m = new double[rows, n];
        Buffer.BlockCopy(values, 0, m, 0, values.Length * sizeof(double));
        return m;
    }

    private static double Stabilize(double z, double epsilon) => z + (z == 0.0 ? 1.0 : Math.Sign(z)) * epsilon;

    private static double[] Flat(Tensor t) => t.detach().contiguous().data<double>().ToArray();

    /// <summary>A per-channel bias spread over an output of <paramref name="outputs"/> values (channel-major).</summary>
    private static double[] Repeat(double[] bias, int outputs) => Enumerable.Range(0, outputs).Select(j => bias[j / (outputs / bias.Length)]).ToArray();

    private static double[,] Map(double[,] m, Func<double, double> f)
    {
        var result = new double[m.GetLength(0), m.GetLength(1)];
        for (int j = 0; j < m.GetLength(0); j++)
            for (int i = 0; i < m.GetLength(1); i++) result[j, i] = f(m[j, i]);
        return result;
    }

    private static double[] Times(double[,] m, double[] x)
    {
        var y = new double[m.GetLength(0)];
        for (int j = 0; j < y.Length; j++)
            for (int i = 0; i < x.Length; i++) y[j] += m[j, i] * x[i];
        return y;
    }

    private static double[] TimesTransposed(double[,] m, double[] c)
    {
        var y = new double[m.GetLength(1)];
        for (int j = 0; j < c.Length; j++)
            for (int i = 0; i < y.Length; i++) y[i] += m[j, i] * c[j];
        return y;
    }

    private static double[] Divide(double[] r, double[] z, double epsilon) => r.Select((v, j) => v / Stabilize(z[j], epsilon)).ToArray();

    private static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    private static double[] Hadamard(double[] a, double[] b) => a.Select((v, i) => v * b[i]).ToArray();

    private static double Difference(Tensor engine, double[] naive)
    {
        var e = Flat(engine);
        double scale = Math.Max(e.Max(Math.Abs), double.Epsilon);
        return e.Select((v, i) => Math.Abs(v - naive[i])).Max() / scale;
    }
}
