using System.Text;
using Relucent.References.Models;
using TorchSharp;

namespace Relucent.References;

/// <summary>
/// torchvision-state-dicts.json: for every full-size model of the issues, each state_dict entry's name, shape and
/// safetensors dtype in PyTorch's state_dict order, from TorchVision 0.107's own constructors (1000 classes;
/// googlenet has no aux classifiers, as aux_logits=False).
/// </summary>
public static class StateDictsJson
{
    public static void Write(string path)
    {
        torch.set_default_dtype(torch.ScalarType.Float32);
        var json = new StringBuilder();
        json.Append("{\n  \"source\": \"TorchVision 0.107.0 (TorchSharp) constructors, num_classes=1000; entries in PyTorch state_dict order (torchvision Python source registration order); [name, shape, dtype]\",\n  \"models\": {");
        bool firstModel = true;
        foreach (var entry in Zoo.All)
        {
            var model = entry.TorchVision(1000);
            var theirs = StateDict.Ordered(model);
            // PyTorch's order is the Python source's registration order, which the models here follow (checked by
            // Mirror.Compare: same names, shapes and dtypes); TorchSharp's MobileNetV2 registers its children in another.
            var ours = StateDict.Ordered(entry.Build(1000, 1));
            if (Mirror.Compare(theirs, ours, out bool sameOrder) is { } problem) throw new InvalidOperationException($"{entry.Name}: {problem}");
            var byName = theirs.ToDictionary(e => e.Name, e => e.Tensor);
            var entries = ours.Select(e => (e.Name, Tensor: byName[e.Name])).ToList();
            json.Append(firstModel ? "\n" : ",\n").Append("    ").Append(Json.String(entry.Name)).Append(": [");
            firstModel = false;
            for (int i = 0; i < entries.Count; i++)
            {
                var (name, tensor) = entries[i];
                json.Append(i == 0 ? "\n" : ",\n").Append("      [").Append(Json.String(name)).Append(", [")
                    .Append(string.Join(", ", tensor.shape)).Append("], \"").Append(StateDict.DType(tensor.dtype)).Append("\"]");
            }
            json.Append("\n    ]");
            Console.WriteLine($"state_dict model={entry.Name} entries={entries.Count} parameters={entries.Where(e => e.Tensor.dtype != torch.ScalarType.Int64).Sum(e => e.Tensor.numel())} torchsharp_order={(sameOrder ? "same" : "differs")}");
            model.Dispose();
        }
        json.Append("\n  }\n}\n");
        File.WriteAllText(path, json.ToString());
    }
}
