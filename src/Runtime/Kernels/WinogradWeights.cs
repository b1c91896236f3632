namespace Relucent.Kernels
{
    /// <summary>
    /// A 3×3 convolution's weights transformed once for Winograd's F(2×2, 3×3) (<c>U = G g Gᵀ</c> per channel and filter,
    /// every group), so that its forward and input-gradient kernels read them ready instead of transforming the whole weight
    /// on every call: for a 512→512 convolution on a 7×7 map that transform was 40 % of the call. Generated networks keep
    /// one per such layer and rebuild it in <c>ParametersChanged</c>; pass it as the kernels' <c>prepared</c> argument.
    /// </summary>
    /// <remarks>
    /// The input gradient reads the same planes as the forward pass (the flipped kernel's transform is the forward one with
    /// its planes permuted, see <see cref="Winograd"/>), so one transform serves both directions. It is kept laid out for
    /// each direction's products, in row-tile panels of their rows (<see cref="Winograd.Prepare"/>): each tile's weights
    /// one stream, where in place the forward products took a new cache line per channel (ResNet's layer4 at 7×7: 1.44×
    /// faster forward, 1.2× for the input gradient). The kernels compute the same bits with or without it: the transform is
    /// the same sequence of operations either way, and the panels hold its values unchanged. It holds <c>2 · 16/9</c> of the
    /// weight's size (ResNet-18's: 132 MB, where the transform in place alone took 66 MB).
    /// </remarks>
    public sealed class WinogradWeights
    {
        private readonly float[] _planes; // the panels of both directions
        private readonly ConvolutionGeometry _geometry; // the convolution it was made for
        private float[]? _inPlace; // the transform in place, for Winograd.t_unpanelled only: unpacked from the panels when first asked for

        private WinogradWeights(in ConvolutionGeometry g)
        {
            _geometry = g;
            _planes = new float[Winograd.PreparedLength(g)];
        }

        /// <summary>
        /// Room for the transformed weights of a float convolution of geometry <paramref name="g"/>, or null when its kernels do
        /// not run F(2×2, 3×3) on this machine (not 3×3 stride 1, too few channels or filters, no AVX-512, or
        /// <c>RELUCENT_WINOGRAD=0</c>; or a map above 28×28, where F(4×4, 3×3) runs instead, transforming its weights per call
        /// at a few percent of the layer): they then need nothing prepared. Fill it with <see cref="Prepare"/>.
        /// </summary>
        public static WinogradWeights? For(in ConvolutionGeometry g)
        {
            Check.Made(g);
            return Winograd.Fits(g) && !Winograd4.Pays(g) ? new WinogradWeights(g) : null;
        }

        /// <summary>Transforms <paramref name="weight"/> (the convolution's <c>[filters, (channels/groups)·9]</c>, column-major), replacing what was prepared before.</summary>
        public unsafe void Prepare(ReadOnlySpan<float> weight)
        {
            Check.Length(weight, _geometry.WeightSize, nameof(weight));
            float[]? inPlace = _inPlace; // kept up to date once a comparison asked for it
            fixed (float* w = weight, p = _planes, u = inPlace) Winograd.Prepare(w, _geometry, p, u);
        }

        /// <summary>Throws unless these weights were made for a convolution with <paramref name="g"/>'s weight shape.</summary>
        internal void CheckFits(in ConvolutionGeometry g)
        {
            ConvolutionGeometry own = _geometry;
            if (g.Groups != own.Groups || g.Channels != own.Channels || g.Filters != own.Filters || g.Kernel != own.Kernel)
            {
                throw new ArgumentException($"prepared holds Winograd weights of {own.Filters} filters over {own.Channels} channels in {own.Groups} group(s); "
                    + $"this convolution has {g.Filters} filters of {g.Kernel}×{g.Kernel} over {g.Channels} channels in {g.Groups} group(s).", "prepared");
            }
        }

        /// <summary>
        /// What the kernels read (fixed by the caller for the call): the panels, or under <see cref="Winograd.t_unpanelled"/>
        /// (set on the calling thread, benchmarks' A/B comparisons and tests) the transform in place.
        /// </summary>
        internal float[] Planes => Winograd.t_unpanelled ? InPlace() : _planes;

        private unsafe float[] InPlace()
        {
            float[]? inPlace = _inPlace;
            if (inPlace != null) return inPlace;
            inPlace = new float[Winograd.InPlaceLength(_geometry)];
            fixed (float* p = _planes, u = inPlace) Winograd.Unpanel(p, _geometry, u);
            return Interlocked.CompareExchange(ref _inPlace, inPlace, null) ?? inPlace;
        }
    }
}
