using System.Diagnostics.CodeAnalysis;

namespace Relucent
{
    /// <summary>Element types of a safetensors file, named as the format names them.</summary>
    public enum DType
    {
        /// <summary>IEEE 754 binary32.</summary>
        F32,

        /// <summary>IEEE 754 binary64.</summary>
        F64,

        /// <summary>IEEE 754 binary16.</summary>
        F16,

        /// <summary>bfloat16: the upper half of a binary32.</summary>
        BF16,

        /// <summary>Signed 64-bit integer.</summary>
        I64,

        /// <summary>Signed 32-bit integer.</summary>
        I32,
    }

    /// <summary>Sizes, kinds and format names of <see cref="DType"/> values.</summary>
    public static class DTypes
    {
        /// <summary>Every supported element type, in the order messages list them.</summary>
        public static IReadOnlyList<DType> Supported { get; } = [DType.F32, DType.F64, DType.F16, DType.BF16, DType.I64, DType.I32];

        /// <summary>The supported format names joined for messages: <c>F32, F64, F16, BF16, I64, I32</c>.</summary>
        public static string SupportedNames { get; } = string.Join(", ", Supported.Select(Name));

        /// <summary>The size of one element in bytes.</summary>
        public static int ElementSize(this DType dtype) => dtype switch
        {
            DType.F32 => 4,
            DType.F64 => 8,
            DType.F16 => 2,
            DType.BF16 => 2,
            DType.I64 => 8,
            DType.I32 => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"Not a supported dtype; supported: {SupportedNames}."),
        };

        /// <summary>Whether elements are floating point (F32, F64, F16, BF16) rather than integers.</summary>
        public static bool IsFloatingPoint(this DType dtype) => dtype is DType.F32 or DType.F64 or DType.F16 or DType.BF16;

        /// <summary>The name the safetensors header uses: <c>"F32"</c>, <c>"BF16"</c>.</summary>
        public static string Name(this DType dtype) => dtype switch
        {
            DType.F32 => "F32",
            DType.F64 => "F64",
            DType.F16 => "F16",
            DType.BF16 => "BF16",
            DType.I64 => "I64",
            DType.I32 => "I32",
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"Not a supported dtype; supported: {SupportedNames}."),
        };

        /// <summary>The element type named <paramref name="name"/> in a safetensors header (case-sensitive, as the format is).</summary>
        public static bool TryParse(string? name, out DType dtype)
        {
            switch (name)
            {
                case "F32": dtype = DType.F32; return true;
                case "F64": dtype = DType.F64; return true;
                case "F16": dtype = DType.F16; return true;
                case "BF16": dtype = DType.BF16; return true;
                case "I64": dtype = DType.I64; return true;
                case "I32": dtype = DType.I32; return true;
                default: dtype = default; return false;
            }
        }

        /// <summary>Whether <paramref name="name"/> is a dtype the safetensors format defines, supported here or not.</summary>
        public static bool IsFormatDType([NotNullWhen(true)] string? name) => name is not null && FormatNames.Contains(name);

        private static readonly HashSet<string> FormatNames = new(StringComparer.Ordinal)
        {
            "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
            "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64",
        };
    }
}
