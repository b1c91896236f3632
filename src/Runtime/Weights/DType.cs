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
}
