namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// The baseline the deletion and insertion curves of the Shapes sample use: the image's mean colour in every pixel
    /// (a blank of the image's own average, neither black nor an unseen colour). Shared, as this very file, by
    /// samples/Shapes and samples/Explain.
    /// </summary>
    public static class MeanColour
    {
        /// <summary>The mean of each channel of <paramref name="x"/> (3×32×32, C·H·W), in every pixel of that channel.</summary>
        public static float[] Of(float[] x)
        {
            const int Channels = 3, Plane = 32 * 32;
            var baseline = new float[x.Length];
            for (int c = 0; c < Channels; c++)
            {
                double sum = 0;
                for (int p = 0; p < Plane; p++) sum += x[c * Plane + p];
                baseline.AsSpan(c * Plane, Plane).Fill((float)(sum / Plane));
            }

            return baseline;
        }
    }
}
