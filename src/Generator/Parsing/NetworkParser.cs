using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Relucent.Generator.Diagnostics;
using Relucent.Generator.Emitting;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Parsing
{
    /// <summary>
    /// Turns one class carrying rule attributes into a <see cref="NetworkClass"/> and its diagnostics: checks the
    /// class's shape (partial, not generic, one Network member), reads the chain, then runs the shared shape rules.
    /// </summary>
    internal static class NetworkParser
    {
        public const string Namespace = "Relucent";

        /// <summary>Rule attributes in the order their methods are generated.</summary>
        public static readonly (string MetadataName, BackwardRule Rule)[] RuleAttributes =
        {
            ("Relucent.SaliencyAttribute", BackwardRule.Saliency),
            ("Relucent.DeconvNetAttribute", BackwardRule.DeconvNet),
            ("Relucent.GuidedBackpropAttribute", BackwardRule.GuidedBackprop),
            ("Relucent.EpsilonPlusAttribute", BackwardRule.EpsilonPlus),
            ("Relucent.EpsilonPlusFlatAttribute", BackwardRule.EpsilonPlusFlat),
            ("Relucent.EpsilonAlpha2Beta1Attribute", BackwardRule.EpsilonAlpha2Beta1),
            ("Relucent.EpsilonAlpha2Beta1FlatAttribute", BackwardRule.EpsilonAlpha2Beta1Flat),
            ("Relucent.EpsilonGammaBoxAttribute", BackwardRule.EpsilonGammaBox),
        };

        /// <summary>
        /// Parses the class behind <paramref name="context"/>, found through the rule attribute
        /// <paramref name="attributeName"/>; returns null when another rule attribute on the same class owns it
        /// (each class is generated once, by its first rule attribute).
        /// </summary>
        public static ParseResult? Parse(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellation)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration) return null;
            string[] rulesPresent = type.GetAttributes()
                .Select(a => a.AttributeClass?.ToDisplayString())
                .Where(n => RuleAttributes.Any(r => r.MetadataName == n))
                .Select(n => n!)
                .ToArray();
            if (rulesPresent.Length == 0 || rulesPresent[0] != attributeName) return null;

            var diagnostics = new List<DiagnosticInfo>();
            try
            {
                NetworkClass? model = ParseClass(context, type, declaration, rulesPresent, diagnostics, cancellation);
                return new ParseResult(diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) ? null : model,
                    new EquatableArray<DiagnosticInfo>(diagnostics));
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                // Never throw: a thrown exception would only surface as warning CS8785 and drop the code silently.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(declaration.Identifier.GetLocation()),
                    type.Name, exception.GetType().Name + ": " + exception.Message));
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }
        }

        private static NetworkClass? ParseClass(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type, TypeDeclarationSyntax declaration,
            string[] rulesPresent, List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
        {
            LocationInfo classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, type.Name));
                return null;
            }
            var containing = new List<ContainingType>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer != null; outer = outer.ContainingType)
            {
                var outerSyntax = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellation)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
                if (outerSyntax == null || !outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, classLocation, type.Name, outer.Name));
                    return null;
                }
                containing.Insert(0, new ContainingType(TypeKeyword(outerSyntax), outer.Name));
            }
            if (type.IsGenericType || HasGenericOuter(type))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericClass, classLocation, type.Name));
                return null;
            }

            string? kind = type.IsStatic ? "static" : type.IsAbstract ? "abstract" : type.IsRecord ? "a record" : null;
            if (kind != null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotInstantiable, classLocation, type.Name, kind));
                return null;
            }
            if (type.BaseType is INamedTypeSymbol declaredBase && declaredBase.SpecialType != SpecialType.System_Object)
            {
                BaseTypeSyntax? written = declaration.BaseList?.Types.FirstOrDefault();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseClass, written != null ? LocationInfo.From(written) : classLocation, type.Name, declaredBase.ToDisplayString()));
                return null;
            }

            ISymbol[] members = type.GetMembers()
                .Where(m => m.IsStatic && !m.IsImplicitlyDeclared && IsNetworkType(MemberType(m)))
                .ToArray();
            if (members.Length == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoNetworkMember, classLocation, type.Name));
                return null;
            }
            if (members.Length > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SeveralNetworkMembers, LocationInfo.From(members[1].Locations[0]), type.Name, members[1].Name));
                return null;
            }

            ISymbol member = members[0];
            SyntaxNode? memberSyntax = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellation);
            ExpressionSyntax? initializer = memberSyntax switch
            {
                VariableDeclaratorSyntax variable => variable.Initializer?.Value,
                PropertyDeclarationSyntax property => property.Initializer?.Value ?? property.ExpressionBody?.Expression,
                _ => null,
            };
            if (initializer == null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAChain, LocationInfo.From(member.Locations[0]),
                    $"'{member.Name}' has no initialiser (a property needs '=> Net.Input(...)...' or '{{ get; }} = Net.Input(...)...')"));
                return null;
            }

            SemanticModel model = context.SemanticModel.SyntaxTree == initializer.SyntaxTree
                ? context.SemanticModel
                : context.SemanticModel.Compilation.GetSemanticModel(initializer.SyntaxTree);
            var reader = new ChainReader(diagnostics, model.Compilation, initializer.SyntaxTree, cancellation);
            var layers = new List<Layer>();
            var sites = new List<LayerSite>();
            if (!reader.ReadNetwork(model.GetOperation(initializer, cancellation), layers, sites) || reader.Input is not Shape input)
            {
                if (diagnostics.Count == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAChain, LocationInfo.From(initializer), "it does not start at Net.Input"));
                }
                return null;
            }
            if (!CheckShapes(input, layers, sites, reader.InputSite!, LocationInfo.From(member.Locations[0]), diagnostics)) return null;
            BackwardRule[] rules = RuleAttributes.Where(r => rulesPresent.Contains(r.MetadataName)).Select(r => r.Rule).ToArray();
            // The ReLU rules differ only at ReLUs; LRP composites differ everywhere, so the warning is only for the former.
            if (!ContainsRelu(layers) && rules.Any(r => !r.IsLrp()))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoRelu, LocationInfo.From(member.Locations[0]), type.Name));
            }
            if (!LrpChecks.Check(type, rules, layers, sites, diagnostics, out double boxLow, out double boxHigh)) return null;
            bool usesDouble = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Relucent.DoublePrecisionAttribute");
            var network = new NetworkClass(
                type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
                new EquatableArray<ContainingType>(containing),
                type.Name,
                member.Name,
                usesDouble,
                new EquatableArray<BackwardRule>(rules),
                input,
                new EquatableArray<Layer>(layers),
                declaration.SyntaxTree.FilePath,
                boxLow,
                boxHigh);
            foreach (string name in GeneratedMembers.For(network).Concat(BaseMemberNames(context.SemanticModel.Compilation)))
            {
                ISymbol? clash = type.GetMembers(name).FirstOrDefault(m => !m.IsImplicitlyDeclared);
                if (clash != null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, LocationInfo.From(clash.Locations[0]), type.Name, name));
                    return null;
                }
            }
            return network;
        }

        /// <summary>
        /// Runs the shared shape rules over the chain and reports their errors at the argument or call at fault. After an
        /// argument out of range the walk goes on (its layer keeps the shape), reporting only further arguments out of
        /// range, which do not depend on shapes: every independent mistake is reported, and no error that only follows
        /// from an earlier one.
        /// </summary>
        private static bool CheckShapes(Shape input, List<Layer> layers, List<LayerSite> sites, LayerSite inputSite, LocationInfo member, List<DiagnosticInfo> diagnostics)
        {
            LayerError? error = ShapeRules.CheckInput(input) ?? ShapeRules.CheckLimits(layers);
            if (error != null)
            {
                LocationInfo at = error.Path.Count > 0 ? LayerSite.Find(layers, sites, error.Path).At(error.Argument)
                    : error.Kind == LayerErrorKind.BeyondLimits ? member : inputSite.At(error.Argument);
                diagnostics.Add(Report(error, at));
                return false;
            }
            bool ok = true;
            Shape current = input;
            for (int i = 0; i < layers.Count; i++)
            {
                error = ShapeRules.Check(layers[i], current, LayerPath.Top(i), out current);
                if (error == null || !ok && error.Kind != LayerErrorKind.InvalidArgument) continue;
                diagnostics.Add(Report(error, LayerSite.Find(layers, sites, error.Path).At(error.Argument)));
                if (ok && error.Kind != LayerErrorKind.InvalidArgument) return false;
                ok = false;
            }
            if (!ok) return false;
            error = ParameterNames.List(input, layers, out _);
            if (error == null) return true;
            diagnostics.Add(Report(error, LayerSite.Find(layers, sites, error.Path).At(error.Argument)));
            return false;
        }

        private static DiagnosticInfo Report(LayerError error, LocationInfo at) =>
            DiagnosticInfo.Create(DescriptorFor(error.Kind), at, error.Message) with { Fix = error.Fix };

        // What the generated class inherits: a user member of the same name would hide it.
        private static IEnumerable<string> BaseMemberNames(Compilation compilation) =>
            compilation.GetTypeByMetadataName("Relucent.GeneratedNetwork`2")?.GetMembers()
                .Where(m => m.DeclaredAccessibility != Accessibility.Private && !m.IsImplicitlyDeclared && m.CanBeReferencedByName)
                .Select(m => m.Name)
            ?? Enumerable.Empty<string>();

        private static bool HasGenericOuter(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? outer = type.ContainingType; outer != null; outer = outer.ContainingType)
            {
                if (outer.IsGenericType) return true;
            }
            return false;
        }

        private static string TypeKeyword(TypeDeclarationSyntax syntax) => syntax switch
        {
            RecordDeclarationSyntax record => record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
            _ => syntax.Keyword.ValueText,
        };

        private static ITypeSymbol? MemberType(ISymbol member) => member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };

        private static bool IsNetworkType(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "Network" } named
            && named.ContainingNamespace is { Name: Namespace, ContainingNamespace.IsGlobalNamespace: true };

        private static DiagnosticDescriptor DescriptorFor(LayerErrorKind kind) => kind switch
        {
            LayerErrorKind.InvalidArgument => DiagnosticDescriptors.InvalidArgument,
            LayerErrorKind.ShapeMismatch => DiagnosticDescriptors.ShapeMismatch,
            LayerErrorKind.ResidualShape => DiagnosticDescriptors.ResidualShape,
            LayerErrorKind.TooLarge => DiagnosticDescriptors.TooLarge,
            LayerErrorKind.BeyondLimits => DiagnosticDescriptors.BeyondLimits,
            _ => DiagnosticDescriptors.DuplicateName,
        };

        private static bool ContainsRelu(IEnumerable<Layer> layers) =>
            layers.Any(l => l is ReLULayer or ReLU6Layer || l.Branches.Any(b => ContainsRelu(b.Layers)));
    }
}
