using System.Numerics;
using System.Numerics.Tensors;
using Relucent.Model;

namespace Relucent.Lrp
{
    /// <summary>
    /// Zennit 1.0.0's LRP rules (<c>src/zennit/rules.py</c>), one method each: from the relevance <c>r</c> at a layer's output
    /// and its input <c>x</c> to the relevance <c>rIn</c> at its input. Each runs the layer on modified inputs and parameters
    /// and takes transposed products with the same kernels as the forward and gradient passes, as Zennit's <c>BasicHook</c>
    /// does with <c>torch.autograd.grad</c>. Every denominator is stabilised as Zennit's <c>Stabilizer</c> does (core.py:97-128):
    /// <c>stab(z) = z + ε·(z ≥ 0 ? 1 : −1)</c>, ε = 1e-6, so sign +1 at zero. Generated code and the interpreter both call these.
    /// </summary>
    public static class LrpKernels
    {
        /// <summary>ε: <c>rIn = x ⊙ Wᵀ(r / stab(Wx + b))</c> (rules.py:97-122).</summary>
        public static void Epsilon<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn, LrpWeights<T> w, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            Span<T> s = scratch.Output(0, m);
            map.Forward(x, w.Weight, w.Bias, s);
            Quotient(r, s, s);
            Span<T> c = scratch.Input(0, n);
            map.Transpose<T>(s, w.Weight, c);
            TensorPrimitives.Multiply(x, c, rIn);
        }

        /// <summary>z⁺: <c>rIn = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs</c>, <c>s = r / stab(W⁺x⁺ + b⁺ + W⁻x⁻)</c> (rules.py:178-211).</summary>
        public static void ZPlus<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn, LrpWeights<T> w, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            if (!HasNegative(x))
            {
                // x = x⁺ and x⁻ = 0 (the input of every layer after a ReLU): the x⁻ terms are zeros, so they are not computed.
                Span<T> q = scratch.Output(0, m), c = scratch.Input(0, n);
                map.Forward(x, w.PositiveWeight, w.PositiveBias, q);
                Quotient(r, q, q);
                map.Transpose<T>(q, w.PositiveWeight, c);
                TensorPrimitives.Multiply(x, c, rIn);
                return;
            }
            Span<T> xp = scratch.Input(0, n), xn = scratch.Input(1, n), c0 = scratch.Input(2, n), c1 = scratch.Input(3, n);
            TensorPrimitives.Max(x, T.Zero, xp);
            TensorPrimitives.Min(x, T.Zero, xn);
            Span<T> s = scratch.Output(0, m), z = scratch.Output(1, m);
            map.Forward<T>(xp, w.PositiveWeight, w.PositiveBias, s);
            map.Forward<T>(xn, w.NegativeWeight, w.ZeroBias, z);
            TensorPrimitives.Add(s, z, s);
            Quotient(r, s, s);
            map.Transpose<T>(s, w.PositiveWeight, c0);
            map.Transpose<T>(s, w.NegativeWeight, c1);
            SumOfProducts(xp, c0, xn, c1, rIn);
        }

        /// <summary>
        /// αβ with α = 2, β = 1 (rules.py:214-274): <c>rIn = α(x⁺⊙W⁺ᵀsα + x⁻⊙W⁻ᵀsα) − β(x⁺⊙W⁻ᵀsβ + x⁻⊙W⁺ᵀsβ)</c>,
        /// <c>sα = r / stab(W⁺x⁺ + b⁺ + W⁻x⁻)</c>, <c>sβ = r / stab(W⁻x⁺ + b⁻ + W⁺x⁻)</c>.
        /// </summary>
        public static void AlphaBeta<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn, LrpWeights<T> w, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            T alpha = T.CreateChecked(LrpComposites.Alpha), beta = T.CreateChecked(LrpComposites.Beta);
            if (!HasNegative(x))
            {
                // x⁻ = 0: sα = r / stab(W⁺x + b⁺), sβ = r / stab(W⁻x + b⁻), rIn = α x⊙W⁺ᵀsα − β x⊙W⁻ᵀsβ.
                Span<T> qa = scratch.Output(0, m), qb = scratch.Output(1, m), ca = scratch.Input(0, n), cb = scratch.Input(1, n);
                map.Forward(x, w.PositiveWeight, w.PositiveBias, qa);
                Quotient(r, qa, qa);
                map.Forward(x, w.NegativeWeight, w.NegativeBias, qb);
                Quotient(r, qb, qb);
                map.Transpose<T>(qa, w.PositiveWeight, ca);
                map.Transpose<T>(qb, w.NegativeWeight, cb);
                for (int i = 0; i < n; i++) rIn[i] = alpha * (x[i] * ca[i]) - beta * (x[i] * cb[i]);
                return;
            }
            Span<T> xp = scratch.Input(0, n), xn = scratch.Input(1, n);
            TensorPrimitives.Max(x, T.Zero, xp);
            TensorPrimitives.Min(x, T.Zero, xn);
            Span<T> sa = scratch.Output(0, m), sb = scratch.Output(1, m), z = scratch.Output(2, m);
            map.Forward<T>(xp, w.PositiveWeight, w.PositiveBias, sa);
            map.Forward<T>(xn, w.NegativeWeight, w.ZeroBias, z);
            TensorPrimitives.Add(sa, z, sa);
            Quotient(r, sa, sa);
            map.Forward<T>(xp, w.NegativeWeight, w.NegativeBias, sb);
            map.Forward<T>(xn, w.PositiveWeight, w.ZeroBias, z);
            TensorPrimitives.Add(sb, z, sb);
            Quotient(r, sb, sb);
            Span<T> c0 = scratch.Input(2, n), c1 = scratch.Input(3, n), c2 = scratch.Input(4, n), c3 = scratch.Input(5, n);
            map.Transpose<T>(sa, w.PositiveWeight, c0);
            map.Transpose<T>(sa, w.NegativeWeight, c1);
            map.Transpose<T>(sb, w.NegativeWeight, c2);
            map.Transpose<T>(sb, w.PositiveWeight, c3);
            for (int i = 0; i < n; i++) rIn[i] = alpha * (xp[i] * c0[i] + xn[i] * c1[i]) - beta * (xp[i] * c2[i] + xn[i] * c3[i]);
        }

        /// <summary>
        /// The generalised γ rule (rules.py:125-175): the plain output <c>z = Wx + b</c> picks, by its sign, the denominator
        /// <c>z₊ = (W+γW⁺)x⁺ + b+γb⁺ + (W+γW⁻)x⁻</c> or <c>z₋ = (W+γW⁻)x⁺ + b+γb⁻ + (W+γW⁺)x⁻</c>;
        /// <c>rIn = x⁺⊙((W+γW⁺)ᵀs₊ + (W+γW⁻)ᵀs₋) + x⁻⊙((W+γW⁻)ᵀs₊ + (W+γW⁺)ᵀs₋)</c>, <c>s± = 1[z ≷ 0]·r / stab(z±)</c>.
        /// </summary>
        public static void Gamma<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn, LrpWeights<T> w, T gamma, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            T[] up = w.GammaPositiveWeight(gamma), down = w.GammaNegativeWeight(gamma);
            bool negatives = HasNegative(x);
            Span<T> xp = scratch.Input(0, n), xn = scratch.Input(1, n);
            TensorPrimitives.Max(x, T.Zero, xp);
            TensorPrimitives.Min(x, T.Zero, xn);
            Span<T> sp = scratch.Output(0, m), sn = scratch.Output(1, m), t = scratch.Output(2, m), z = scratch.Output(3, m);
            map.Forward(x, w.Weight, w.Bias, z);
            map.Forward<T>(xp, up, w.GammaPositiveBias(gamma), sp);
            map.Forward<T>(xp, down, w.GammaNegativeBias(gamma), sn);
            if (negatives)
            {
                // The x⁻ terms; without negative inputs (after a ReLU) they are zeros and are not computed.
                map.Forward<T>(xn, down, w.ZeroBias, t);
                TensorPrimitives.Add(sp, t, sp);
                map.Forward<T>(xn, up, w.ZeroBias, t);
                TensorPrimitives.Add(sn, t, sn);
            }
            T eps = T.CreateChecked(LrpComposites.Epsilon);
            for (int o = 0; o < m; o++)
            {
                sp[o] = z[o] > T.Zero ? r[o] / Stabilise(sp[o], eps) : T.Zero;
                sn[o] = z[o] < T.Zero ? r[o] / Stabilise(sn[o], eps) : T.Zero;
            }
            Span<T> c0 = scratch.Input(2, n), c1 = scratch.Input(3, n), c2 = scratch.Input(4, n), c3 = scratch.Input(5, n);
            map.Transpose<T>(sp, up, c0);
            map.Transpose<T>(sn, down, c1);
            if (!negatives)
            {
                for (int i = 0; i < n; i++) rIn[i] = xp[i] * (c0[i] + c1[i]);
                return;
            }
            map.Transpose<T>(sp, down, c2);
            map.Transpose<T>(sn, up, c3);
            for (int i = 0; i < n; i++) rIn[i] = xp[i] * (c0[i] + c1[i]) + xn[i] * (c2[i] + c3[i]);
        }

        /// <summary>
        /// ZBox (rules.py:277-322), the input bounded by <paramref name="low"/> and <paramref name="high"/>:
        /// <c>rIn = x⊙Wᵀs − (l⊙W⁺ᵀs + h⊙W⁻ᵀs)</c>, <c>s = r / stab((Wx + b) − ((W⁺l + b⁺) + (W⁻h + b⁻)))</c>.
        /// </summary>
        public static void ZBox<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn, LrpWeights<T> w, T low, T high, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            Span<T> l = scratch.Input(0, n), h = scratch.Input(1, n);
            l.Fill(low);
            h.Fill(high);
            Span<T> s = scratch.Output(0, m), zl = scratch.Output(1, m), zh = scratch.Output(2, m);
            map.Forward(x, w.Weight, w.Bias, s);
            map.Forward<T>(l, w.PositiveWeight, w.PositiveBias, zl);
            map.Forward<T>(h, w.NegativeWeight, w.NegativeBias, zh);
            for (int o = 0; o < m; o++) s[o] = s[o] - (zl[o] + zh[o]);
            Quotient(r, s, s);
            Span<T> c0 = scratch.Input(2, n), c1 = scratch.Input(3, n), c2 = scratch.Input(4, n);
            map.Transpose<T>(s, w.Weight, c0);
            map.Transpose<T>(s, w.PositiveWeight, c1);
            map.Transpose<T>(s, w.NegativeWeight, c2);
            for (int i = 0; i < n; i++) rIn[i] = x[i] * c0[i] - (l[i] * c1[i] + h[i] * c2[i]);
        }

        /// <summary>
        /// Flat (rules.py:400-424): <c>rIn = 1ᵀ(r / stab(f(1; 1, 0)))</c>, the layer with input and weights all ones and no bias:
        /// relevance spread by connection count alone (padding included), not multiplied by the input.
        /// </summary>
        public static void Flat<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn, LrpWeights<T> w, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            Span<T> ones = scratch.Input(0, n);
            ones.Fill(T.One);
            Span<T> s = scratch.Output(0, m);
            map.Forward<T>(ones, w.Ones, w.ZeroBias, s);
            Quotient(r, s, s);
            map.Transpose<T>(s, w.Ones, rIn);
        }

        /// <summary>
        /// Norm, for a parameter-free linear layer <c>g</c> (average pools, rules.py:350-371): <c>rIn = x ⊙ gᵀ(r / stab(y))</c>,
        /// <paramref name="y"/> = <c>g(x)</c> the layer's output from the forward pass.
        /// </summary>
        public static void Norm<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> r, Span<T> rIn, LrpScratch<T> scratch)
            where T : unmanaged, IFloatingPointIeee754<T> where TMap : struct, ILrpMap
        {
            (int n, int m) = Sizes(map, x, r, rIn);
            Check(y, m, nameof(y));
            Span<T> s = scratch.Output(0, m), c = scratch.Input(0, n);
            Quotient(r, y, s);
            map.Transpose<T>(s, default, c);
            TensorPrimitives.Multiply(x, c, rIn);
        }

        /// <summary><c>s = r / stab(y)</c>: the Norm rule's quotient at a sum <paramref name="y"/> (a residual block's output).</summary>
        public static void Quotient<T>(ReadOnlySpan<T> r, ReadOnlySpan<T> y, Span<T> s) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check(y, r.Length, nameof(y));
            Check(s, r.Length, nameof(s));
            T eps = T.CreateChecked(LrpComposites.Epsilon);
            for (int i = 0; i < r.Length; i++) s[i] = r[i] / Stabilise(y[i], eps);
        }

        /// <summary><c>share = term ⊙ s</c>: one summand's part of the relevance at a sum, <paramref name="s"/> from <see cref="Quotient{T}"/>.</summary>
        public static void Share<T>(ReadOnlySpan<T> term, ReadOnlySpan<T> s, Span<T> share) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check(s, term.Length, nameof(s));
            Check(share, term.Length, nameof(share));
            TensorPrimitives.Multiply(term, s, share);
        }

        /// <summary><c>stab(z) = z + ε·(z ≥ 0 ? 1 : −1)</c>: Zennit's stabiliser, sign +1 at zero.</summary>
        public static T Stabilise<T>(T z, T epsilon) where T : unmanaged, IFloatingPointIeee754<T> => z + (z >= T.Zero ? epsilon : -epsilon);

        // Whether any input is negative: without, every x⁻ term of z⁺, αβ and γ is zero (x = x⁺), and is skipped.
        private static bool HasNegative<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x.Length > 0 && TensorPrimitives.Min(x) < T.Zero;

        private static void SumOfProducts<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, ReadOnlySpan<T> d, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < result.Length; i++) result[i] = a[i] * b[i] + c[i] * d[i];
        }

        private static (int Inputs, int Outputs) Sizes<T, TMap>(in TMap map, ReadOnlySpan<T> x, ReadOnlySpan<T> r, Span<T> rIn) where TMap : struct, ILrpMap
        {
            int n = map.InputSize, m = map.OutputSize;
            Check(x, n, nameof(x));
            Check(r, m, nameof(r));
            Check(rIn, n, nameof(rIn));
            return (n, m);
        }

        private static void Check<T>(ReadOnlySpan<T> values, int expected, string name)
        {
            if (values.Length != expected) throw new ArgumentException($"{name} has {values.Length} values, expected {expected}.", name);
        }
    }
}
