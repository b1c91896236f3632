using System.Numerics;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// The rules at a ReLU6 (<see cref="Relu6Rules"/>) as types, for the vectorised select of <see cref="ReluRules"/>:
    /// <c>z</c> is the ReLU6's output, <c>r</c> the signal arriving at it. The clamp at 6 passes its true gradient under every
    /// rule; the rule acts at the rectifier.
    /// </summary>
    internal static class Relu6Rule
    {
        /// <summary>The ReLU6 form of the rule <typeparamref name="TRule"/> stands for.</summary>
        public static void Apply<T, TRule>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule
        {
            switch (TRule.Rule)
            {
                case BackwardRule.Saliency: ReluRules.Pass<T, Saliency>(z, r, rIn); break;
                case BackwardRule.DeconvNet: ReluRules.Pass<T, DeconvNet>(z, r, rIn); break;
                default: ReluRules.Pass<T, GuidedBackprop>(z, r, rIn); break;
            }
        }

        /// <summary>Saliency: <c>0 &lt; z &lt; 6</c>.</summary>
        public readonly struct Saliency : IReluRule
        {
            public static BackwardRule Rule => BackwardRule.Saliency;

            public static bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero && z < T.CreateTruncating(6);

            public static Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Vector512.GreaterThan(z, Vector512<T>.Zero) & Vector512.LessThan(z, Vector512.Create(T.CreateTruncating(6)));

            public static Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Vector256.GreaterThan(z, Vector256<T>.Zero) & Vector256.LessThan(z, Vector256.Create(T.CreateTruncating(6)));

            public static Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Vector128.GreaterThan(z, Vector128<T>.Zero) & Vector128.LessThan(z, Vector128.Create(T.CreateTruncating(6)));
        }

        /// <summary>DeconvNet: <c>z &lt; 6</c> and <c>R &gt; 0</c>.</summary>
        public readonly struct DeconvNet : IReluRule
        {
            public static BackwardRule Rule => BackwardRule.DeconvNet;

            public static bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T> => z < T.CreateTruncating(6) && r > T.Zero;

            public static Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Vector512.LessThan(z, Vector512.Create(T.CreateTruncating(6))) & Vector512.GreaterThan(r, Vector512<T>.Zero);

            public static Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Vector256.LessThan(z, Vector256.Create(T.CreateTruncating(6))) & Vector256.GreaterThan(r, Vector256<T>.Zero);

            public static Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Vector128.LessThan(z, Vector128.Create(T.CreateTruncating(6))) & Vector128.GreaterThan(r, Vector128<T>.Zero);
        }

        /// <summary>GuidedBackprop: <c>0 &lt; z &lt; 6</c> and <c>R &gt; 0</c>.</summary>
        public readonly struct GuidedBackprop : IReluRule
        {
            public static BackwardRule Rule => BackwardRule.GuidedBackprop;

            public static bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T> => Saliency.Pass(z, r) && r > T.Zero;

            public static Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Saliency.Pass(z, r) & Vector512.GreaterThan(r, Vector512<T>.Zero);

            public static Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Saliency.Pass(z, r) & Vector256.GreaterThan(r, Vector256<T>.Zero);

            public static Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
                Saliency.Pass(z, r) & Vector128.GreaterThan(r, Vector128<T>.Zero);
        }
    }
}
