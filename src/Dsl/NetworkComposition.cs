using System;
using System.Linq;
using Relucent.Model;

namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Continues the chain with <paramref name="block"/>, usually a static helper method, declared in the same file, that
        /// declares a repeated block once: <c>.Then(b =&gt; Bottleneck(b, width: 64, stride: 1))</c>. The generator reads the
        /// helper's body with the call's constant arguments, as if its layers were written here.
        /// </summary>
        public Network Then(Func<Network, Network> block)
        {
            if (block is null) throw new ArgumentNullException(nameof(block));
            Network result = block(this) ?? throw new ArgumentException("The block returned null.", nameof(block));
            CheckGrownFrom(result, nameof(block));
            return result;
        }

        /// <summary>
        /// Continues the chain with <paramref name="block"/> <paramref name="count"/> times, passing the repetition's index
        /// (0, 1, ...): <c>.Repeat(3, (b, i) =&gt; b.Residual(r =&gt; Bottleneck(r, 64, 1), name: $"layer1.{i + 1}"))</c>. The generator
        /// unrolls it, every size still a compile-time constant.
        /// </summary>
        public Network Repeat(int count, Func<Network, int, Network> block)
        {
            if (block is null) throw new ArgumentNullException(nameof(block));
            if (count < 0 || count > Limits.MaxLayers)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, $"Repeat count must be between 0 and {Limits.MaxLayers}.");
            }
            Network result = this;
            for (int i = 0; i < count; i++)
            {
                Network next = block(result, i) ?? throw new ArgumentException("The block returned null.", nameof(block));
                result.CheckGrownFrom(next, nameof(block));
                result = next;
            }
            return result;
        }

        // A block handed this network must return it or a network grown from it, not start another one.
        private void CheckGrownFrom(Network result, string argument)
        {
            bool grown = ReferenceEquals(result._origin, _origin) && result._count >= _count
                && (ReferenceEquals(result._storage, _storage) || Layers.Zip(result.Layers, (a, b) => ReferenceEquals(a, b)).All(same => same));
            if (!grown)
            {
                throw new ArgumentException("The block must continue the chain it was given (b => b.Conv2D(...)...), not start another network.", argument);
            }
        }
    }
}
