namespace Relucent.Attribution
{
    /// <summary>
    /// How integrated gradients approximates <c>∫₀¹ ∇f(b + α(x − b)) dα</c> with <c>n</c> evaluations: points
    /// <c>αₖ</c> in [0, 1] and weights <c>wₖ</c> (see <see cref="QuadratureRule"/>).
    /// </summary>
    public enum Quadrature
    {
        /// <summary>
        /// Gauss–Legendre on [0, 1]: numpy's <c>leggauss(n)</c> nodes mapped by <c>α = (1 + t)/2</c>, weights halved;
        /// Captum's default (<c>method="gausslegendre"</c>). Exact for polynomials of degree 2n − 1 in α.
        /// </summary>
        GaussLegendre,

        /// <summary>
        /// The composite trapezoid rule on <c>n</c> points from the baseline to the input inclusive:
        /// <c>αₖ = k/(n−1)</c>, <c>h = 1/(n−1)</c>, weights <c>h</c> inside and <c>h/2</c> at both ends (they sum to 1).
        /// Differs from Captum's <c>riemann_trapezoid</c> by the factor <c>n/(n−1)</c>: see <see cref="CaptumTrapezoid"/>.
        /// </summary>
        Trapezoid,

        /// <summary>
        /// Captum's <c>method="riemann_trapezoid"</c> exactly as Captum computes it: the same points as
        /// <see cref="Trapezoid"/> (<c>αₖ = k/(n−1)</c>) but step <c>h = 1/n</c>, halved at both ends, so the weights sum
        /// to <c>1 − 1/n</c> and every attribution is <c>(n−1)/n</c> of the textbook trapezoid rule's (2% low at 50 steps;
        /// the completeness gap does not vanish as <c>n</c> grows slower than <c>1/n</c>). For reproducing Captum's numbers.
        /// </summary>
        CaptumTrapezoid,

        /// <summary>Left Riemann sum: <c>αₖ = k/n</c>, <c>k = 0..n−1</c>, weights <c>1/n</c> (Captum's <c>riemann_left</c>).</summary>
        RiemannLeft,

        /// <summary>Right Riemann sum: <c>αₖ = (k+1)/n</c>, weights <c>1/n</c> (Captum's <c>riemann_right</c>).</summary>
        RiemannRight,

        /// <summary>Midpoint rule: <c>αₖ = (k+½)/n</c>, weights <c>1/n</c> (Captum's <c>riemann_middle</c>).</summary>
        RiemannMiddle,
    }

    /// <summary>The points and weights of each <see cref="Quadrature"/> on [0, 1], in float64.</summary>
    public static class QuadratureRule
    {
        /// <summary>
        /// Writes the <paramref name="steps"/> points <paramref name="alphas"/> (ascending, in [0, 1]) and weights
        /// <paramref name="weights"/> of <paramref name="quadrature"/>.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">Fewer than 1 step (2 for the trapezoid rules, which need both ends).</exception>
        public static void Compute(Quadrature quadrature, int steps, Span<double> alphas, Span<double> weights)
        {
            int minimum = quadrature is Quadrature.Trapezoid or Quadrature.CaptumTrapezoid ? 2 : 1;
            if (steps < minimum)
            {
                throw new ArgumentOutOfRangeException(nameof(steps), steps, $"{quadrature} needs at least {minimum} steps.");
            }

            if (alphas.Length != steps || weights.Length != steps)
            {
                throw new ArgumentException($"alphas and weights need {steps} values each; got {alphas.Length} and {weights.Length}.");
            }

            double n = steps;
            switch (quadrature)
            {
                case Quadrature.GaussLegendre:
                    GaussLegendre(steps, alphas, weights);
                    break;
                case Quadrature.Trapezoid:
                case Quadrature.CaptumTrapezoid:
                    double h = quadrature == Quadrature.Trapezoid ? 1.0 / (n - 1) : 1.0 / n;
                    for (int k = 0; k < steps; k++)
                    {
                        alphas[k] = k == steps - 1 ? 1.0 : k / (n - 1);
                        weights[k] = h;
                    }

                    weights[0] = h / 2;
                    weights[steps - 1] = h / 2;
                    break;
                case Quadrature.RiemannLeft:
                case Quadrature.RiemannRight:
                case Quadrature.RiemannMiddle:
                    double offset = quadrature switch { Quadrature.RiemannLeft => 0, Quadrature.RiemannRight => 1, _ => 0.5 };
                    for (int k = 0; k < steps; k++)
                    {
                        alphas[k] = (k + offset) / n;
                        weights[k] = 1 / n;
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(quadrature), quadrature, "Not a quadrature.");
            }
        }

        /// <summary>The points and weights as new arrays.</summary>
        public static (double[] Alphas, double[] Weights) Compute(Quadrature quadrature, int steps)
        {
            if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one step.");
            var alphas = new double[steps];
            var weights = new double[steps];
            Compute(quadrature, steps, alphas, weights);
            return (alphas, weights);
        }

        // Gauss–Legendre as numpy's leggauss computes it, then mapped to [0, 1]: the roots of P_n by Newton's method
        // from Tricomi's estimate, weights 2 / ((1 − t²) P_n'(t)²), symmetrised and scaled to sum to 2 as numpy does.
        private static void GaussLegendre(int n, Span<double> alphas, Span<double> weights)
        {
            Span<double> t = n <= 256 ? stackalloc double[n] : new double[n];
            Span<double> w = n <= 256 ? stackalloc double[n] : new double[n];
            for (int i = 0; i < n; i++)
            {
                // The (i+1)-th largest root; stored ascending.
                double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
                double derivative = 0;
                for (int iteration = 0; iteration < 100; iteration++)
                {
                    (double p, double dp) = Legendre(n, x);
                    derivative = dp;
                    double dx = p / dp;
                    x -= dx;
                    if (Math.Abs(dx) <= 1e-16 * Math.Max(1, Math.Abs(x))) break;
                }

                (_, derivative) = Legendre(n, x);
                t[n - 1 - i] = x;
                w[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
            }

            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                int j = n - 1 - i;
                double ti = (t[i] - t[j]) / 2, wi = (w[i] + w[j]) / 2;
                alphas[i] = ti;
                weights[i] = wi;
                sum += wi;
            }

            for (int i = 0; i < n; i++)
            {
                alphas[i] = 0.5 * (1 + alphas[i]);
                weights[i] = 0.5 * (weights[i] * (2 / sum));
            }
        }

        // P_n(x) and P_n'(x) by the three-term recurrence.
        private static (double Value, double Derivative) Legendre(int n, double x)
        {
            double p0 = 1, p1 = x;
            if (n == 0) return (1, 0);
            for (int k = 2; k <= n; k++)
            {
                double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }

            double dp = n * (x * p1 - p0) / (x * x - 1);
            return (p1, dp);
        }
    }
}
