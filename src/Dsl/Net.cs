using Relucent.Model;

namespace Relucent
{
    /// <summary>Where every network declaration starts: <c>Net.Input(8).Dense(16).ReLU()...</c>.</summary>
    public static class Net
    {
        /// <summary>A network taking a vector of <paramref name="features"/> values.</summary>
        public static Network Input(int features) => Network.Start(Shape.Vector(features));

        /// <summary>A network taking an image of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> (NCHW).</summary>
        public static Network Input(int channels, int height, int width) => Network.Start(Shape.Image(channels, height, width));
    }
}
