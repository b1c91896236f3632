using System.Reflection;

namespace Relucent.Benchmarks;

/// <summary>
/// The runtime's internal [ThreadStatic] bool switches of Relucent.Kernels ("Type.field", e.g. Tiles.t_tables) that the A/B
/// modes flip, and the few other internal statics a benchmark sets or reads (PassRanges.t_minimumElements,
/// KernelParallelism.s_spinMicroseconds), found by name: one lookup for every mode, and a clear error for a name that is not one.
/// </summary>
public static class KernelSwitches
{
    /// <summary>The fields named in <paramref name="names"/>, separated by commas.</summary>
    public static FieldInfo[] Parse(string names) => names.Split(',').Select(Field).ToArray();

    /// <summary>The field named <paramref name="name"/> ("Type.field").</summary>
    public static FieldInfo Field(string name)
    {
        string[] parts = name.Split('.');
        return (parts.Length == 2
                ? typeof(Relucent.Kernels.DenseKernels).Assembly.GetType("Relucent.Kernels." + parts[0])?.GetField(parts[1], BindingFlags.Static | BindingFlags.NonPublic)
                : null)
            ?? throw new ArgumentException($"No internal static field '{name}' in Relucent.Kernels (write Type.field).", nameof(name));
    }
}
