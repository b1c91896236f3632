using System.Runtime.Intrinsics.X86;
using Relucent.Kernels;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// <see cref="Ahead"/> asks for every line of its block once, spread over the steps it is given, and for nothing when it has
    /// no block (the last block of a range) or no prefetch instruction. What prefetching does to values is nothing:
    /// <see cref="DenseBatchTests"/> checks the batch kernels' bits with it.
    /// </summary>
    public unsafe class AheadTests
    {
        [Theory]
        [InlineData(16 * 4096 * 4, 2048)] // AlexNet fc6's blocks: 4096 lines over 2048 steps, two a step
        [InlineData(1000, 4)] // 16 lines (the last one partial), four a step
        [InlineData(640, 100)] // fewer lines than steps: one a step
        public void Every_line_is_asked_for_by_the_last_step(int bytes, int steps)
        {
            var block = new byte[bytes];
            fixed (byte* start = block)
            {
                var ahead = new Ahead(start, bytes, steps);
                int lines = (bytes + 63) / 64, perStep = Math.Max(1, (lines + steps - 1) / steps), needed = (lines + perStep - 1) / perStep;
                for (int s = 0; s < needed - 1; s++) ahead.Step();
                Assert.Equal(!Sse.IsSupported, ahead.Done); // a line is left for the last step (none at all without prefetches)
                ahead.Step();
                Assert.True(ahead.Done);
                ahead.Step(); // past the end: nothing more
                Assert.True(ahead.Done);
            }
        }

        [Fact]
        public void No_block_is_done_from_the_start() => Assert.True(new Ahead(null, 4096, 10).Done);
    }
}
