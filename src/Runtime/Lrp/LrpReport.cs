namespace Relucent.Lrp
{
    /// <summary>
    /// Where relevance went in one LRP pass: the relevance at the output and at the input, and for each rule-bearing step
    /// (a convolution or dense layer, an average pool, a residual sum), in forward order, the relevance summed over its
    /// output and over its input. A step's output minus its input is what it absorbed: its bias and stabiliser for an
    /// affine layer, the stabiliser for a Norm step; the steps' absorptions add up to what was lost between output and input
    /// (ReLU, max pooling and flattening conserve relevance). Zennit's issues #193 and #194 are about these figures.
    /// </summary>
    public sealed class LrpReport
    {
        internal LrpReport(BackwardRule composite, double output, double input, IReadOnlyList<LrpStepSums> steps)
        {
            Composite = composite;
            Output = output;
            Input = input;
            Steps = steps;
        }

        /// <summary>The composite of the pass.</summary>
        public BackwardRule Composite { get; }

        /// <summary>The relevance summed over the output (the seed's sum: 1 for a one-hot target).</summary>
        public double Output { get; }

        /// <summary>The relevance summed over the input (the map's sum).</summary>
        public double Input { get; }

        /// <summary>Each rule-bearing step, in forward order.</summary>
        public IReadOnlyList<LrpStepSums> Steps { get; }

        /// <summary>What the convolutions and dense layers absorbed (bias and stabiliser).</summary>
        public double AbsorbedByAffineLayers => Steps.Where(s => s.IsAffine).Sum(s => s.Absorbed);

        /// <summary>What the average pools and residual sums absorbed (the stabiliser).</summary>
        public double AbsorbedByNormSteps => Steps.Where(s => !s.IsAffine).Sum(s => s.Absorbed);

        /// <summary>One line per step and a total, for a log or a console.</summary>
        public override string ToString() =>
            $"{Composite}: relevance {Output:G9} at the output, {Input:G9} at the input; absorbed by convolutions and dense layers "
            + $"{AbsorbedByAffineLayers:G6}, by pools and sums {AbsorbedByNormSteps:G6}\n"
            + string.Concat(Steps.Select(s => $"  layer {s.Layer,-24} {s.Rule,-28} out {s.Output,14:G9}  in {s.Input,14:G9}  absorbed {s.Absorbed,12:G6}\n"));
    }

    /// <summary>One rule-bearing step of an LRP pass: its layer (path label), its rule, the relevance summed over its output and its input.</summary>
    /// <param name="Layer">The layer's path label: <c>0</c>, <c>4.shortcut.0</c>, <c>4</c> for a residual block's sum.</param>
    /// <param name="Rule">The rule as written: <c>LrpRule.ZPlus()</c>, <c>Norm</c>.</param>
    /// <param name="IsAffine">Whether the step is a convolution or dense layer (else a pool or a residual sum).</param>
    /// <param name="Output">The relevance summed over the step's output.</param>
    /// <param name="Input">The relevance summed over its input (both terms of a sum).</param>
    public sealed record LrpStepSums(string Layer, string Rule, bool IsAffine, double Output, double Input)
    {
        /// <summary><see cref="Output"/> minus <see cref="Input"/>: what the step absorbed (negative: what it added).</summary>
        public double Absorbed => Output - Input;
    }
}
