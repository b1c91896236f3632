namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// One workspace buffer: its name in the naming scheme, its length, the buffer it aliases (identity layers
    /// share storage) and a sentence saying what it holds.
    /// </summary>
    internal sealed class Buffer
    {
        public Buffer(string name, int length, string? aliasOf, bool isSwitch, string holds)
        {
            Name = name;
            Length = length;
            AliasOf = aliasOf;
            IsSwitch = isSwitch;
            Holds = holds;
        }

        public string Name { get; }

        public int Length { get; }

        public string? AliasOf { get; }

        /// <summary>An <c>int[]</c> of pooling switches rather than a tensor.</summary>
        public bool IsSwitch { get; }

        public string Holds { get; }
    }
}
