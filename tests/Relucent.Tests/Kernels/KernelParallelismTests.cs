using Relucent.Kernels;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The kernels' thread settings are per thread: an <see cref="KernelParallelism.Override"/> changes the calling thread's
    /// calls alone, so tests (run in parallel) and callers cannot change how another thread's kernels run.
    /// </summary>
    public class KernelParallelismTests
    {
        [Fact]
        public void An_override_affects_the_calling_thread_alone_and_is_undone_by_its_scope()
        {
            int threadsBefore = KernelParallelism.MaxThreads;
            long workBefore = KernelParallelism.MinimumWork;
            int elsewhereThreads = 0;
            long elsewhereWork = 0;
            using (KernelParallelism.Override(threads: 7, minimumWork: 11))
            {
                Assert.Equal(7, KernelParallelism.MaxThreads);
                Assert.Equal(11, KernelParallelism.MinimumWork);
                var other = new Thread(() => { elsewhereThreads = KernelParallelism.MaxThreads; elsewhereWork = KernelParallelism.MinimumWork; });
                other.Start();
                other.Join();
                using (KernelParallelism.Override(threads: 3))
                {
                    Assert.Equal(3, KernelParallelism.MaxThreads);
                    Assert.Equal(KernelParallelism.DefaultMinimumWork, KernelParallelism.MinimumWork);
                }
                Assert.Equal(7, KernelParallelism.MaxThreads);
                Assert.Equal(11, KernelParallelism.MinimumWork);
            }
            Assert.Equal(threadsBefore, KernelParallelism.MaxThreads);
            Assert.Equal(workBefore, KernelParallelism.MinimumWork);
            // Another thread saw the process defaults, not this thread's override.
            Assert.NotEqual(7, elsewhereThreads);
            Assert.Equal(KernelParallelism.DefaultMinimumWork, elsewhereWork);
        }

        [Fact]
        public void Misuse_of_an_override_is_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.Override(threads: 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.Override(threads: 2, minimumWork: -1));

            int threadsBefore = KernelParallelism.MaxThreads;
            var outer = KernelParallelism.Override(threads: 2);
            var inner = KernelParallelism.Override(threads: 3);
            Assert.Throws<InvalidOperationException>(() => outer.Dispose()); // out of order
            Exception? onOtherThread = null;
            var other = new Thread(() => onOtherThread = Record.Exception(() => inner.Dispose()));
            other.Start();
            other.Join();
            Assert.IsType<InvalidOperationException>(onOtherThread);
            inner.Dispose();
            outer.Dispose();
            Assert.Equal(threadsBefore, KernelParallelism.MaxThreads);
            default(KernelParallelism.Scope).Dispose(); // a scope never made undoes nothing
        }
    }
}
