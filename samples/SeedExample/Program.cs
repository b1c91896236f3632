using System.Globalization;
using Relucent.Samples.SeedExample;

// The worked example: x_l = [[1,-2],[-4,5]], R = [[-2,-2],[4,8]] arriving at the ReLU's output.
float[] x = { 1, -2, -4, 5 };
float[] r = { -2, -2, 4, 8 };

SeedNetwork net = SeedNetwork.Create();
float[] z = net.Forward(x);

Print("x (input)", x);
Print("z = max(x, 0)", z);
Print("R (signal at z)", r);
Print("Saliency       R_in = 1[z > 0] · R", net.Saliency(x, seed: r));
Print("DeconvNet      R_in = max(R, 0)", net.DeconvNet(x, seed: r));
Print("GuidedBackprop R_in = 1[z > 0] · max(R, 0)", net.GuidedBackprop(x, seed: r));
Console.WriteLine();
Console.WriteLine("The generated code is in obj/Generated/ under this sample's folder.");

static void Print(string label, float[] m) =>
    Console.WriteLine($"{label,-44} [[{F(m[0])}, {F(m[1])}], [{F(m[2])}, {F(m[3])}]]");

static string F(float v) => (v == 0 ? 0f : v).ToString(CultureInfo.InvariantCulture);
