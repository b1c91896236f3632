using System.Numerics;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// A ReLU backward rule as a type: which signal values pass (<c>z</c> is the ReLU's forward output, <c>r</c> the signal
    /// arriving at it), in scalar and vector form. Generated backward passes take the rule as a type argument
    /// (<c>Backward&lt;SaliencyRule&gt;</c>), so every kernel they call is compiled with the rule inlined; the three
    /// structs below are the rules <see cref="BackwardRule"/> names.
    /// </summary>
    public interface IReluRule
    {
        /// <summary>The rule this type stands for.</summary>
        static abstract BackwardRule Rule { get; }

        /// <summary>Whether the signal <paramref name="r"/> at a ReLU output <paramref name="z"/> passes.</summary>
        static abstract bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>The lanes that pass, as a mask.</summary>
        static abstract Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>The lanes that pass, as a mask.</summary>
        static abstract Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>The lanes that pass, as a mask.</summary>
        static abstract Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    /// <summary>Saliency, the true gradient: <c>R_in = 1[z &gt; 0] · R</c>.</summary>
    public readonly struct SaliencyRule : IReluRule
    {
        /// <inheritdoc />
        public static BackwardRule Rule => BackwardRule.Saliency;

        /// <inheritdoc />
        public static bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero;

        /// <inheritdoc />
        public static Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThan(z, Vector512<T>.Zero);

        /// <inheritdoc />
        public static Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThan(z, Vector256<T>.Zero);

        /// <inheritdoc />
        public static Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.GreaterThan(z, Vector128<T>.Zero);
    }

    /// <summary>DeconvNet: <c>R_in = max(R, 0)</c>; the forward mask is not used.</summary>
    public readonly struct DeconvNetRule : IReluRule
    {
        /// <inheritdoc />
        public static BackwardRule Rule => BackwardRule.DeconvNet;

        /// <inheritdoc />
        public static bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T> => r > T.Zero;

        /// <inheritdoc />
        public static Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThan(r, Vector512<T>.Zero);

        /// <inheritdoc />
        public static Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThan(r, Vector256<T>.Zero);

        /// <inheritdoc />
        public static Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T> => Vector128.GreaterThan(r, Vector128<T>.Zero);
    }

    /// <summary>GuidedBackprop, both masks: <c>R_in = 1[z &gt; 0] · max(R, 0)</c>.</summary>
    public readonly struct GuidedBackpropRule : IReluRule
    {
        /// <inheritdoc />
        public static BackwardRule Rule => BackwardRule.GuidedBackprop;

        /// <inheritdoc />
        public static bool Pass<T>(T z, T r) where T : unmanaged, IFloatingPointIeee754<T> => z > T.Zero && r > T.Zero;

        /// <inheritdoc />
        public static Vector512<T> Pass<T>(Vector512<T> z, Vector512<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
            Vector512.GreaterThan(z, Vector512<T>.Zero) & Vector512.GreaterThan(r, Vector512<T>.Zero);

        /// <inheritdoc />
        public static Vector256<T> Pass<T>(Vector256<T> z, Vector256<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
            Vector256.GreaterThan(z, Vector256<T>.Zero) & Vector256.GreaterThan(r, Vector256<T>.Zero);

        /// <inheritdoc />
        public static Vector128<T> Pass<T>(Vector128<T> z, Vector128<T> r) where T : unmanaged, IFloatingPointIeee754<T> =>
            Vector128.GreaterThan(z, Vector128<T>.Zero) & Vector128.GreaterThan(r, Vector128<T>.Zero);
    }
}
