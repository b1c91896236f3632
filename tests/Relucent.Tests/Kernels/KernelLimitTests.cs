using System.Globalization;
using Relucent.Kernels;
using Relucent.Model;
using Relucent.Testing;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Every unsafe kernel at the size limit (<see cref="Limits.MaxElements"/>): the largest geometry of a family that the
    /// geometry struct accepts runs and gives the right values at sampled points (or, on a machine short of memory, throws
    /// <see cref="OutOfMemoryException"/>), and the next one is refused with an <see cref="ArgumentException"/>. Each case
    /// runs in a child process (<see cref="Isolated"/>), where a crash — the failure being tested for — fails the test
    /// instead of killing the test host.
    /// </summary>
    /// <remarks>
    /// The families grow one buffer of one kernel path to the limit while keeping the others small, so a child needs at
    /// most a few GiB: huge zero padding around a tiny input (the reported crash: <c>Net.Input(9, 1, 1).Conv2D(1, kernel: 1,
    /// padding: 8191)</c>), many filters over one channel (the staged output gradient), Winograd's transformed planes,
    /// many channels into one filter (the weight gradient's tiles), a 2^28-value pooling input and dense weight.
    /// </remarks>
    public class KernelLimitTests
    {
        private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
        private const long Heap = 6L << 30;

        public static TheoryData<string> Cases() => new(KernelLimitAttacks.ConvolutionFamilies);

        [Theory]
        [MemberData(nameof(Cases))]
        public void A_convolution_at_the_limit_runs_and_one_past_it_is_refused(string family)
        {
            int n = KernelLimitAttacks.Largest(family);
            Isolated.Outcome under = Isolated.Run(KernelLimitAttacks.Convolution, Limit, Heap, family, n.ToString(CultureInfo.InvariantCulture), "0");
            AssertRanOrRanOutOfMemory(under, $"{family} at n = {n}");

            string message = Isolated.Refuses<ArgumentException>(KernelLimitAttacks.Convolution, family, (n + 1).ToString(CultureInfo.InvariantCulture), "0");
            Assert.Contains("more than the 268435456 a kernel buffer may hold", message);
        }

        [Fact]
        public void Pooling_at_the_limit_runs_and_one_past_it_is_refused()
        {
            AssertRanOrRanOutOfMemory(Isolated.Run(KernelLimitAttacks.Pooling, Limit, Heap, "16384"), "pooling of [1, 16384, 16384]");
            string message = Isolated.Refuses<ArgumentException>(KernelLimitAttacks.Pooling, "16385");
            Assert.Contains("Pooling of [1, 16384, 16385]", message);
        }

        [Fact]
        public void A_dense_layer_at_the_limit_runs_and_one_past_it_is_refused()
        {
            AssertRanOrRanOutOfMemory(Isolated.Run(KernelLimitAttacks.Dense, Limit, Heap, "16384", "16384"), "dense 16384 → 16384");
            Isolated.Refuses<ArgumentException>(KernelLimitAttacks.Dense, "16384", "16385");
            Isolated.Refuses<ArgumentException>(KernelLimitAttacks.Dense, "65536", "65536"); // wrapped to 0 in an int
        }

        private static void AssertRanOrRanOutOfMemory(Isolated.Outcome outcome, string what)
        {
            Assert.True(outcome.Completed, $"{what}: {outcome}");
            if (outcome.ExceptionType != null)
            {
                Assert.True(outcome.ExceptionType == typeof(OutOfMemoryException).FullName, $"{what}: {outcome}");
            }
            else
            {
                Assert.StartsWith("ok", outcome.Result, StringComparison.Ordinal);
            }
        }
    }
}
