using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using Relucent.Generator.Diagnostics;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Parsing
{
    /// <summary>
    /// Reads a fluent chain <c>Net.Input(...).Dense(...)...</c> through the semantic model into the layer model.
    /// Calls are confirmed by their method symbol (not their spelling), arguments are matched by parameter
    /// name, and every size must be a compile-time constant; anything else becomes a diagnostic at its site.
    /// </summary>
    internal sealed class ChainReader
    {
        private readonly List<DiagnosticInfo> _diagnostics;

        public ChainReader(List<DiagnosticInfo> diagnostics) => _diagnostics = diagnostics;

        /// <summary>The shape given to <c>Net.Input</c>, once read.</summary>
        public Shape? Input { get; private set; }

        /// <summary>The site of the <c>Net.Input</c> call.</summary>
        public LayerSite? InputSite { get; private set; }

        /// <summary>Reads the chain rooted at <c>Net.Input</c>; false when a diagnostic stopped it.</summary>
        public bool ReadNetwork(IOperation? operation, List<Layer> layers, List<LayerSite> sites) =>
            ReadChain(operation, null, layers, sites);

        private bool ReadChain(IOperation? operation, IParameterSymbol? branchParameter, List<Layer> layers, List<LayerSite> sites)
        {
            operation = Unwrap(operation);
            switch (operation)
            {
                case null:
                    return false;

                case IInvocationOperation call when IsRelucentType(call.TargetMethod.ContainingType, "Net") && call.TargetMethod.Name == "Input":
                    if (branchParameter != null)
                    {
                        Report(DiagnosticDescriptors.NotAChain, LocationInfo.From(call.Syntax), "a residual branch must grow from its lambda's parameter (b => b.Conv2D(...)), not start a new Net.Input");
                        return false;
                    }
                    return ReadInput(call);

                case IInvocationOperation call when IsRelucentType(call.TargetMethod.ContainingType, "Network") && !call.TargetMethod.IsStatic:
                    return ReadChain(call.Instance, branchParameter, layers, sites)
                        && ReadLayer(call, layers, sites);

                case IParameterReferenceOperation reference when branchParameter != null
                        && SymbolEqualityComparer.Default.Equals(reference.Parameter, branchParameter):
                    return true;

                case IInvocationOperation call when call.Instance != null || call.TargetMethod.IsExtensionMethod:
                    Report(DiagnosticDescriptors.UnknownCall, CallLocation(call.Syntax), call.TargetMethod.ContainingType.Name + "." + call.TargetMethod.Name);
                    return false;

                case IInvalidOperation invalid when invalid.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member }:
                    // The compiler reports its own error too (e.g. CS1061); ours says what the chain allows.
                    Report(DiagnosticDescriptors.UnknownCall, CallLocation(invalid.Syntax), member.Name.Identifier.ValueText);
                    return false;

                default:
                    Report(DiagnosticDescriptors.NotAChain, LocationInfo.From(operation.Syntax), $"'{Truncate(operation.Syntax.ToString())}' is not part of such a chain");
                    return false;
            }
        }

        private bool ReadInput(IInvocationOperation call)
        {
            var site = new LayerSite(CallLocation(call.Syntax));
            var values = new Dictionary<string, object?>();
            if (!ReadArguments(call, site, values)) return false;
            InputSite = site;
            Input = values.ContainsKey("features")
                ? Shape.Vector(Int(values["features"]))
                : Shape.Image(Int(values["channels"]), Int(values["height"]), Int(values["width"]));
            return true;
        }

        private bool ReadLayer(IInvocationOperation call, List<Layer> layers, List<LayerSite> sites)
        {
            var site = new LayerSite(CallLocation(call.Syntax));
            var values = new Dictionary<string, object?>();
            Layer? layer;
            if (call.TargetMethod.Name == "Residual")
            {
                layer = ReadResidual(call, site, values);
            }
            else
            {
                if (!ReadArguments(call, site, values)) return false;
                layer = CreateLayer(call.TargetMethod.Name, values);
                if (layer == null)
                {
                    Report(DiagnosticDescriptors.UnknownCall, site.Call, call.TargetMethod.Name);
                }
            }
            if (layer == null) return false;
            layers.Add(layer);
            sites.Add(site);
            return true;
        }

        private Layer? ReadResidual(IInvocationOperation call, LayerSite site, Dictionary<string, object?> values)
        {
            IArgumentOperation? branch = call.Arguments.FirstOrDefault(a => a.Parameter?.Name == "branch");
            IArgumentOperation? name = call.Arguments.FirstOrDefault(a => a.Parameter?.Name == "name");
            if (name != null && !ReadArgument(call, name, site, values)) return null;
            IAnonymousFunctionOperation? lambda = (Unwrap(branch?.Value) as IDelegateCreationOperation)?.Target as IAnonymousFunctionOperation;
            IOperation? body = lambda?.Body.Operations.Length == 1 ? (lambda.Body.Operations[0] as IReturnOperation)?.ReturnedValue : null;
            if (lambda == null || body == null || lambda.Symbol.Parameters.Length != 1)
            {
                Report(DiagnosticDescriptors.NotAChain, branch != null ? LocationInfo.From(branch.Syntax) : site.Call, "the residual branch must be a lambda returning one chain, b => b.Conv2D(...).ReLU()...");
                return null;
            }
            var branchLayers = new List<Layer>();
            if (!ReadChain(body, lambda.Symbol.Parameters[0], branchLayers, site.Body)) return null;
            return new ResidualLayer(new EquatableArray<Layer>(branchLayers)) { Name = values.TryGetValue("name", out object? n) ? n as string : null };
        }

        private static Layer? CreateLayer(string method, Dictionary<string, object?> values)
        {
            string? name = values.TryGetValue("name", out object? n) ? n as string : null;
            switch (method)
            {
                case "Dense": return new DenseLayer(Int(values["units"])) { Name = name };
                case "ReLU": return new ReLULayer();
                case "Tanh": return new TanhLayer();
                case "Sigmoid": return new SigmoidLayer();
                case "Flatten": return new FlattenLayer();
                case "Softmax": return new SoftmaxLayer();
                case "Dropout": return new DropoutLayer(Double(values["p"]));
                case "Conv2D":
                    return new Conv2DLayer(Int(values["filters"]), Int(values["kernel"]), Int(values["stride"]), Int(values["padding"]), (bool)values["bias"]!) { Name = name };
                case "MaxPool":
                    return new MaxPoolLayer(Int(values["kernel"]), values["stride"] == null ? Int(values["kernel"]) : Int(values["stride"]));
                case "AvgPool":
                    return new AvgPoolLayer(Int(values["kernel"]), values["stride"] == null ? Int(values["kernel"]) : Int(values["stride"]));
                case "BatchNorm": return new BatchNormLayer(Double(values["eps"])) { Name = name };
                default: return null;
            }
        }

        private bool ReadArguments(IInvocationOperation call, LayerSite site, Dictionary<string, object?> values)
        {
            bool ok = true;
            foreach (IArgumentOperation argument in call.Arguments)
            {
                ok &= ReadArgument(call, argument, site, values);
            }
            return ok;
        }

        private bool ReadArgument(IInvocationOperation call, IArgumentOperation argument, LayerSite site, Dictionary<string, object?> values)
        {
            string parameter = argument.Parameter?.Name ?? "?";
            if (argument.ArgumentKind == ArgumentKind.Explicit)
            {
                site.Arguments[parameter] = LocationInfo.From(argument.Syntax);
            }
            Optional<object?> constant = argument.ArgumentKind == ArgumentKind.DefaultValue && argument.Parameter is { HasExplicitDefaultValue: true } declared
                ? new Optional<object?>(declared.ExplicitDefaultValue)
                : ConstantOf(argument.Value);
            if (!constant.HasValue || !IsUsable(constant.Value, argument.Parameter?.Type))
            {
                Report(DiagnosticDescriptors.NotConstant, site.At(parameter), parameter, call.TargetMethod.Name);
                return false;
            }
            values[parameter] = constant.Value;
            return true;
        }

        // A constant of the wrong type (only possible in code that does not compile) is treated as no constant.
        private static bool IsUsable(object? value, ITypeSymbol? type)
        {
            switch (type?.SpecialType)
            {
                case SpecialType.System_Int32: return value is int;
                case SpecialType.System_Double: return value is double || value is int || value is float || value is long;
                case SpecialType.System_Boolean: return value is bool;
                case SpecialType.System_String: return value == null || value is string;
                default: return value == null || value is int; // int? stride
            }
        }

        private static Optional<object?> ConstantOf(IOperation? value)
        {
            while (value != null)
            {
                if (value.ConstantValue.HasValue) return value.ConstantValue;
                value = value is IConversionOperation conversion ? conversion.Operand : null;
            }
            return default;
        }

        private static IOperation? Unwrap(IOperation? operation)
        {
            while (operation is IConversionOperation conversion && conversion.IsImplicit || operation is IParenthesizedOperation)
            {
                operation = operation is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operation!).Operand;
            }
            return operation;
        }

        private static bool IsRelucentType(INamedTypeSymbol? type, string name) =>
            type != null && type.Name == name && type.ContainingNamespace is { Name: "Relucent", ContainingNamespace.IsGlobalNamespace: true };

        /// <summary>From the method name to the closing parenthesis: <c>Dense(16)</c> in <c>x.Dense(16)</c>.</summary>
        private static LocationInfo CallLocation(SyntaxNode syntax)
        {
            if (syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } invocation)
            {
                TextSpan span = TextSpan.FromBounds(member.Name.SpanStart, invocation.Span.End);
                return LocationInfo.From(Location.Create(syntax.SyntaxTree, span));
            }
            return LocationInfo.From(syntax);
        }

        private static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

        private static double Double(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

        private static string Truncate(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

        private void Report(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }
}
