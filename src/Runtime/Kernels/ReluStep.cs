using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// A ReLU's backward rule, carried into the kernel of the layer above it so that each signal value passes the rule as
    /// it is stored (one pass over the signal instead of two). <see cref="Apply"/> is <see cref="ReluRules"/> element by
    /// element: <c>r</c> where it passes, <c>+0</c> elsewhere, the same bits as the vector compare-and-select there.
    /// </summary>
    internal readonly unsafe struct ReluStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const int NoRule = -1;

        private readonly T* _z;
        private readonly int _rule;

        public ReluStep(BackwardRule rule, T* reluOutput)
        {
            if (rule is not (BackwardRule.Saliency or BackwardRule.DeconvNet or BackwardRule.GuidedBackprop))
            {
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a ReLU backward rule.");
            }
            _rule = (int)rule;
            _z = reluOutput;
        }

        private ReluStep(int rule, T* z)
        {
            _rule = rule;
            _z = z;
        }

        /// <summary>No ReLU below: values are stored as they are.</summary>
        public static ReluStep<T> None => new(NoRule, null);

        /// <summary>The same rule for a kernel piece that starts <paramref name="first"/> values in.</summary>
        public ReluStep<T> Offset(int first) => _rule == NoRule ? this : new(_rule, _z + first);

        /// <summary>The value to store at index <paramref name="i"/> for the signal <paramref name="r"/> arriving there.</summary>
        /// <remarks>
        /// Compare and mask in a vector register, without a branch: whether a value passes follows the ReLU's pattern of
        /// signs, as unpredictable as the data, so a branch would be mispredicted about half the time. The rule itself is
        /// the same for every value of a call, so testing it is free.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Apply(int i, T r)
        {
            if (_rule == NoRule) return r;
            Vector128<T> signal = Vector128.CreateScalarUnsafe(r);
            Vector128<T> pass = _rule == (int)BackwardRule.DeconvNet
                ? Vector128.GreaterThan(signal, Vector128<T>.Zero)
                : Vector128.GreaterThan(Vector128.CreateScalarUnsafe(_z[i]), Vector128<T>.Zero);
            if (_rule == (int)BackwardRule.GuidedBackprop) pass &= Vector128.GreaterThan(signal, Vector128<T>.Zero);
            return (signal & pass).ToScalar();
        }
    }
}
