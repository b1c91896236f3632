using System;
using Microsoft.CodeAnalysis;
using Relucent.Generator.Diagnostics;
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
        private readonly Func<NetworkClass, string> _emit;

        /// <summary>The generator the compiler loads.</summary>
        public RelucentGenerator()
            : this(NetworkEmitter.Emit)
        {
        }

        // Tests pass an emitter that fails, to see the failure reported as RLC099 rather than lost.
        internal RelucentGenerator(Func<NetworkClass, string> emit) => _emit = emit;

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
                    .Where(static result => result.Diagnostics.Count > 0)
                    .Select(static (result, _) => result.Diagnostics)
                    .WithTrackingName(Steps.Diagnostics);

                context.RegisterSourceOutput(diagnostics, static (spc, list) =>
                {
                    foreach (DiagnosticInfo diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
                });
                context.RegisterSourceOutput(models, (spc, model) => AddSource(spc, model));
            }
        }

        // Never throw, emission included: a thrown exception would only surface as warning CS8785 and drop the code
        // silently. The failure is reported on the class's file, naming the class.
        private void AddSource(SourceProductionContext context, NetworkClass model)
        {
            string text;
            try
            {
                text = _emit(model);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.Create(model.FilePath, default, default),
                    model.FullName, exception.GetType().Name + ": " + exception.Message));
                return;
            }
            context.AddSource(model.HintName, text);
        }
    }
}
