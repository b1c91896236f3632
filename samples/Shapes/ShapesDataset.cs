namespace Relucent.Samples.Shapes
{
    /// <summary>One synthetic image: its pixels, its label, the mask of the labelled object, and the distractor if any.</summary>
    /// <param name="Pixels">3×32×32 values in [0, 1], C·H·W order (R plane, G plane, B plane).</param>
    /// <param name="Label">The class of the labelled (larger) object.</param>
    /// <param name="Mask">32×32 (row-major): the pixels of the labelled object.</param>
    /// <param name="Distractor">The class of the smaller distractor shape, or −1 when there is none.</param>
    /// <param name="DistractorMask">32×32: the distractor's pixels (all false when there is none).</param>
    public sealed record ShapeImage(float[] Pixels, int Label, bool[] Mask, int Distractor, bool[] DistractorMask)
    {
        /// <summary>Whether the image holds a distractor.</summary>
        public bool HasDistractor => Distractor >= 0;
    }

    /// <summary>
    /// A deterministic synthetic data set of 3×32×32 colour images of four classes (circle, square, triangle, cross),
    /// each a filled shape at a random position, size and colour on a noisy background of another colour. A fraction
    /// of the images also holds a smaller distractor of another class: the label is always the larger shape's.
    /// </summary>
    /// <remarks>
    /// Everything comes from <c>new Random(seed)</c>, one image after another, so a seed gives the same images on every
    /// machine. Sizes: the labelled shape spans 11–17 pixels, a distractor 6–8, so "the larger shape" is unambiguous;
    /// the two never overlap (their boxes keep a pixel apart).
    /// </remarks>
    public static class ShapesDataset
    {
        /// <summary>Channels, height and width of an image.</summary>
        public const int Channels = 3, Size = 32, Plane = Size * Size, Values = Channels * Plane;

        /// <summary>Circle, square, triangle, cross: the label order.</summary>
        public const int Circle = 0, Square = 1, Triangle = 2, Cross = 3;

        /// <summary>Makes <paramref name="count"/> images from <paramref name="seed"/>, <paramref name="distractors"/> of them (as a probability) with a distractor.</summary>
        public static ShapeImage[] Generate(int count, int seed, double distractors = 0.3)
        {
            var random = new Random(seed);
            var images = new ShapeImage[count];
            for (int i = 0; i < count; i++) images[i] = Make(random, i % 4, distractors);
            // Classes are balanced (i % 4), then shuffled so the order carries no information.
            for (int i = count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (images[i], images[j]) = (images[j], images[i]);
            }

            return images;
        }

        /// <summary>The pixels of <paramref name="images"/> one after another, and their labels, as a trainer takes them.</summary>
        public static (float[] Inputs, int[] Labels) Stack(IReadOnlyList<ShapeImage> images)
        {
            var inputs = new float[images.Count * Values];
            var labels = new int[images.Count];
            for (int i = 0; i < images.Count; i++)
            {
                images[i].Pixels.CopyTo(inputs, i * Values);
                labels[i] = images[i].Label;
            }

            return (inputs, labels);
        }

        private static ShapeImage Make(Random random, int label, double distractorProbability)
        {
            var pixels = new float[Values];
            // Background: one colour per image plus Gaussian noise per value.
            float[] background = { Uniform(random, 0.1, 0.9), Uniform(random, 0.1, 0.9), Uniform(random, 0.1, 0.9) };
            for (int c = 0; c < Channels; c++)
            {
                for (int p = 0; p < Plane; p++) pixels[c * Plane + p] = background[c] + (float)(0.05 * Normal(random));
            }

            // The labelled shape.
            int size = random.Next(11, 18);
            int x0 = random.Next(0, Size - size + 1), y0 = random.Next(0, Size - size + 1);
            bool[] mask = Draw(label, x0, y0, size);
            Paint(pixels, mask, Colour(random, background), random);

            int distractor = -1;
            var distractorMask = new bool[Plane];
            if (random.NextDouble() < distractorProbability)
            {
                distractor = (label + 1 + random.Next(3)) % 4;
                int small = random.Next(6, 9);
                for (int attempt = 0; attempt < 100; attempt++)
                {
                    int dx = random.Next(0, Size - small + 1), dy = random.Next(0, Size - small + 1);
                    bool apart = dx + small + 1 <= x0 || x0 + size + 1 <= dx || dy + small + 1 <= y0 || y0 + size + 1 <= dy;
                    if (!apart) continue;
                    distractorMask = Draw(distractor, dx, dy, small);
                    Paint(pixels, distractorMask, Colour(random, background), random);
                    break;
                }

                if (!distractorMask.Contains(true)) distractor = -1;
            }

            for (int i = 0; i < pixels.Length; i++) pixels[i] = Math.Clamp(pixels[i], 0f, 1f);
            return new ShapeImage(pixels, label, mask, distractor, distractorMask);
        }

        // The pixels of a shape of class 'shape' in the size×size box at (x0, y0).
        private static bool[] Draw(int shape, int x0, int y0, int size)
        {
            var mask = new bool[Plane];
            double centre = (size - 1) / 2.0, radius = size / 2.0;
            int arm = Math.Max(2, (size + 1) / 3), armStart = (size - arm) / 2;
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    bool inside = shape switch
                    {
                        Circle => (x - centre) * (x - centre) + (y - centre) * (y - centre) <= radius * radius * 0.9,
                        Square => true,
                        // Apex at the top centre, base along the bottom row.
                        Triangle => Math.Abs(x - centre) <= (y + 0.5) / size * radius,
                        _ => (x >= armStart && x < armStart + arm) || (y >= armStart && y < armStart + arm),
                    };
                    if (inside) mask[(y0 + y) * Size + x0 + x] = true;
                }
            }

            return mask;
        }

        // A colour far enough from the background to be seen: at least 0.4 away in some channel, 0.6 in sum.
        private static float[] Colour(Random random, float[] background)
        {
            while (true)
            {
                float[] colour = { Uniform(random, 0, 1), Uniform(random, 0, 1), Uniform(random, 0, 1) };
                float largest = 0, sum = 0;
                for (int c = 0; c < Channels; c++)
                {
                    float d = Math.Abs(colour[c] - background[c]);
                    largest = Math.Max(largest, d);
                    sum += d;
                }

                if (largest >= 0.4f && sum >= 0.6f) return colour;
            }
        }

        private static void Paint(float[] pixels, bool[] mask, float[] colour, Random random)
        {
            for (int p = 0; p < Plane; p++)
            {
                if (!mask[p]) continue;
                for (int c = 0; c < Channels; c++) pixels[c * Plane + p] = colour[c] + (float)(0.04 * Normal(random));
            }
        }

        private static float Uniform(Random random, double low, double high) => (float)(low + (high - low) * random.NextDouble());

        private static double Normal(Random random)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
