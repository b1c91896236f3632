using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>
/// A module's state_dict in PyTorch's order: each module's own parameters, then its own persistent buffers, then
/// its children in registration order (torch.nn.Module._save_to_state_dict). TorchSharp's Module.state_dict() lists
/// every parameter of the whole tree before any buffer, so it is not used where order matters.
/// </summary>
public static class StateDict
{
    public static List<(string Name, Tensor Tensor)> Ordered(nn.Module module)
    {
        var entries = new List<(string, Tensor)>();
        Collect(module, "", entries);
        return entries;
    }

    private static void Collect(nn.Module module, string prefix, List<(string, Tensor)> entries)
    {
        foreach (var (name, p) in module.named_parameters(recurse: false)) entries.Add((prefix + name, p));
        foreach (var (name, b) in module.named_buffers(recurse: false, include_nonpersistent: false)) entries.Add((prefix + name, b));
        foreach (var (name, child) in module.named_children()) Collect(child, $"{prefix}{name}.", entries);
    }

    /// <summary>The safetensors name of a dtype.</summary>
    public static string DType(ScalarType type) => type switch {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Int64 => "I64",
        _ => throw new NotSupportedException($"dtype {type}"),
    };
}
