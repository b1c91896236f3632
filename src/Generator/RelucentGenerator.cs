using Microsoft.CodeAnalysis;
using Relucent.Generator.Emitting;
using Relucent.Generator.Parsing;
using Relucent.Generator.Pipeline;

namespace Relucent.Generator
{
    /// <summary>
    /// Wiring only: finds classes by their rule attributes, parses each into value-equal data, reports its
    /// diagnostics and emits its code. Parsing and emitting live in their own types.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RelucentGenerator : IIncrementalGenerator
    {
        /// <summary>Pipeline step names, for caching tests.</summary>
        public static class Steps
        {
            /// <summary>A class parsed into its model and diagnostics.</summary>
            public const string Parse = "Relucent.Parse";

            /// <summary>The model alone, which the emitter consumes.</summary>
            public const string Model = "Relucent.Model";

            /// <summary>The diagnostics alone.</summary>
            public const string Diagnostics = "Relucent.Diagnostics";
        }

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            foreach ((string metadataName, _) in NetworkParser.RuleAttributes)
            {
                IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                    .ForAttributeWithMetadataName(
                        metadataName,
                        predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                        transform: (ctx, cancellation) => NetworkParser.Parse(ctx, metadataName, cancellation))
                    .Where(static result => result != null)
                    .Select(static (result, _) => result!)
                    .WithTrackingName(Steps.Parse);

                IncrementalValuesProvider<NetworkClass> models = parsed
                    .Where(static result => result.Model != null)
                    .Select(static (result, _) => result.Model!)
                    .WithTrackingName(Steps.Model);

                IncrementalValuesProvider<Relucent.Model.EquatableArray<DiagnosticInfo>> diagnostics = parsed
                    .Select(static (result, _) => result.Diagnostics)
                    .WithTrackingName(Steps.Diagnostics);

                // Reporting needs the compilation only to map each location back to its syntax tree (for #pragma);
                // the parse step above stays cached.
                context.RegisterSourceOutput(diagnostics.Where(static list => list.Count > 0).Combine(context.CompilationProvider), static (spc, pair) =>
                {
                    foreach (DiagnosticInfo diagnostic in pair.Left) spc.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
                });
                context.RegisterSourceOutput(models, static (spc, model) =>
                    spc.AddSource(model.HintName, NetworkEmitter.Emit(model)));
            }
        }
    }
}
