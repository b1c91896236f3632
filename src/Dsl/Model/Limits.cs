namespace Relucent.Model
{
    /// <summary>
    /// The limits every network, weights file and ONNX graph is held to, stated once. The shape rules refuse a
    /// declaration beyond them (a diagnostic at compile time, <see cref="NetworkDefinitionException"/> at run time), the
    /// importers refuse a file beyond them before doing work proportional to it, and the kernels check their own
    /// buffers against <see cref="MaxElements"/> before forming any pointer.
    /// </summary>
    public static class Limits
    {
        /// <summary>
        /// The most values one tensor may hold, 2^28 (1 GiB of float32): every activation, parameter and kernel scratch
        /// buffer (a padded input, an im2col matrix, a Winograd transform) of one example.
        /// </summary>
        public const long MaxElements = 1L << 28;

        /// <summary>How deeply blocks (a residual branch or shortcut, a concatenated branch) may nest inside one another: 64.</summary>
        public const int MaxNesting = 64;

        /// <summary>The most layers one network may hold, counting those inside blocks: 10,000 (ResNet-152 has about 500).</summary>
        public const int MaxLayers = 10_000;
    }
}
