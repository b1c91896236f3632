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

        [Theory]
        [InlineData(512, 64, 16384, 320)] // a forward tile's next tile: 64 pieces of columns of 8 lines, 512 lines over 320 steps
        [InlineData(100, 3, 1000, 1)] // runs of 2 lines (the second partial), all in one step
        public void Every_line_of_every_run_is_asked_for_by_the_last_step(int runBytes, int runs, int stride, int steps)
        {
            var block = new byte[(runs - 1) * stride + runBytes];
            fixed (byte* start = block)
            {
                var ahead = new Ahead(start, runBytes, runs, stride, steps);
                int lines = runs * ((runBytes + 63) / 64), perStep = Math.Max(1, (lines + steps - 1) / steps), needed = (lines + perStep - 1) / perStep;
                for (int s = 0; s < needed - 1; s++) ahead.Step();
                Assert.Equal(!Sse.IsSupported, ahead.Done);
                ahead.Step();
                Assert.True(ahead.Done);
            }
        }

        [Fact]
        public void No_block_is_done_from_the_start()
        {
            Assert.True(new Ahead(null, 4096, 10).Done);
            Assert.True(default(Ahead).Done); // the batch kernels' "nothing next"
        }
    }
}
