using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// A rectifier's backward rule (ReLU or ReLU6, see <see cref="Rectifier"/>), carried into the kernel of the layer above
    /// it so that each signal value passes the rule as it is stored (one pass over the signal instead of two).
    /// <see cref="Apply"/> is <see cref="ReluRules"/> / <see cref="Relu6Rules"/> element by element: <c>r</c> where it
    /// passes, <c>+0</c> elsewhere, the same bits as the vector compare-and-select there.
    /// </summary>
    internal readonly unsafe struct ReluStep<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const int NoRule = -1;

        private readonly T* _z;
        private readonly int _rule;
        private readonly bool _six;

        public ReluStep(BackwardRule rule, T* reluOutput) : this(rule, reluOutput, Rectifier.Relu)
        {
        }

        /// <summary>The rule of <paramref name="rectifier"/> (ReLU or ReLU6), whose forward output is <paramref name="output"/>.</summary>
        public ReluStep(BackwardRule rule, T* output, Rectifier rectifier)
        {
            if (rule is not (BackwardRule.Saliency or BackwardRule.DeconvNet or BackwardRule.GuidedBackprop))
            {
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a ReLU backward rule.");
            }
            if (rectifier is not (Rectifier.Relu or Rectifier.Relu6))
            {
                throw new ArgumentOutOfRangeException(nameof(rectifier), rectifier, "A backward rule belongs to a rectifier: Relu or Relu6.");
            }
            _rule = (int)rule;
            _z = output;
            _six = rectifier == Rectifier.Relu6;
        }

        private ReluStep(int rule, T* z, bool six)
        {
            _rule = rule;
            _z = z;
            _six = six;
        }

        /// <summary>No rectifier below: values are stored as they are.</summary>
        public static ReluStep<T> None => new(NoRule, null, false);

        /// <summary>Whether there is a rule to apply.</summary>
        public bool IsNone => _rule == NoRule;

        /// <summary>The same rule for a kernel piece that starts <paramref name="first"/> values in.</summary>
        public ReluStep<T> Offset(int first) => _rule == NoRule ? this : new(_rule, _z + first, _six);

        /// <summary>
        /// The rule over <paramref name="count"/> values of <paramref name="r"/> in place, vectorised: exactly
        /// <see cref="ReluRules"/> / <see cref="Relu6Rules"/> (for kernels whose stores cannot apply it value by value).
        /// </summary>
        public void ApplyTo(T* r, int count)
        {
            if (_rule == NoRule) return;
            var z = new ReadOnlySpan<T>(_z, count);
            var span = new Span<T>(r, count);
            switch ((_six, (BackwardRule)_rule))
            {
                case (false, BackwardRule.Saliency): ReluRules.Select<T, SaliencyRule>(z, span, span); break;
                case (false, BackwardRule.DeconvNet): ReluRules.Select<T, DeconvNetRule>(span, span, span); break;
                case (false, _): ReluRules.Select<T, GuidedBackpropRule>(z, span, span); break;
                case (true, BackwardRule.Saliency): ReluRules.Select<T, Relu6Rule.Saliency>(z, span, span); break;
                case (true, BackwardRule.DeconvNet): ReluRules.Select<T, Relu6Rule.DeconvNet>(z, span, span); break;
                default: ReluRules.Select<T, Relu6Rule.GuidedBackprop>(z, span, span); break;
            }
        }

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
            Vector128<T> pass;
            if (!_six)
            {
                pass = _rule == (int)BackwardRule.DeconvNet
                    ? Vector128.GreaterThan(signal, Vector128<T>.Zero)
                    : Vector128.GreaterThan(Vector128.CreateScalarUnsafe(_z[i]), Vector128<T>.Zero);
            }
            else
            {
                Vector128<T> z = Vector128.CreateScalarUnsafe(_z[i]);
                pass = Vector128.LessThan(z, Vector128.Create(T.CreateTruncating(6)));
                pass &= _rule == (int)BackwardRule.DeconvNet ? Vector128.GreaterThan(signal, Vector128<T>.Zero) : Vector128.GreaterThan(z, Vector128<T>.Zero);
            }
            if (_rule == (int)BackwardRule.GuidedBackprop) pass &= Vector128.GreaterThan(signal, Vector128<T>.Zero);
            return (signal & pass).ToScalar();
        }
    }
}
