namespace Relucent.Generator.Diagnostics
{
    /// <summary>
    /// The properties a diagnostic carries for code fixes, so a fix decides from data rather than from the message's words.
    /// Linked into the code-fix assembly.
    /// </summary>
    internal static class DiagnosticProperties
    {
        /// <summary>The key naming the mechanical fix, a <c>Relucent.Model.LayerFix</c> value's name.</summary>
        public const string Fix = "Fix";

        /// <summary>The value of <see cref="Fix"/> for inserting <c>.Flatten()</c> before the call.</summary>
        public const string InsertFlatten = "InsertFlatten";
    }
}
