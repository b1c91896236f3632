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
    /// Reads a fluent chain <c>Net.Input(...).Dense(...)...</c> through the semantic model into the layer model. Calls are
    /// confirmed by their method symbol (not their spelling) and looked up among the layer kinds' calls
    /// (<see cref="LayerCall.All"/>); arguments are matched by parameter; every size must be a compile-time constant and a
    /// block's chains lambdas. Anything else becomes a diagnostic at its site, and reading goes on so that every
    /// independent mistake is reported.
    /// </summary>
    internal sealed class ChainReader
    {
        private readonly List<DiagnosticInfo> _diagnostics;

        public ChainReader(List<DiagnosticInfo> diagnostics) => _diagnostics = diagnostics;

        /// <summary>The shape given to <c>Net.Input</c>, once read.</summary>
        public Shape? Input { get; private set; }

        /// <summary>The site of the <c>Net.Input</c> call.</summary>
        public LayerSite? InputSite { get; private set; }

        /// <summary>Reads the chain rooted at <c>Net.Input</c>; false when a diagnostic was reported.</summary>
        public bool ReadNetwork(IOperation? operation, List<Layer> layers, List<LayerSite> sites) =>
            ReadChain(operation, null, layers, sites);

        // A chain is calls nested through their receivers: x.A().B() is B(A(x)). They are collected first, so a chain of
        // any length is read without recursion, then read in order.
        private bool ReadChain(IOperation? operation, IParameterSymbol? lambdaParameter, List<Layer> layers, List<LayerSite> sites)
        {
            var calls = new Stack<IInvocationOperation>();
            operation = Unwrap(operation);
            while (operation is IInvocationOperation call && IsRelucentType(call.TargetMethod.ContainingType, "Network") && !call.TargetMethod.IsStatic)
            {
                calls.Push(call);
                operation = Unwrap(call.Instance);
            }
            if (!ReadStart(operation, lambdaParameter)) return false;
            bool ok = true;
            while (calls.Count > 0) ok &= ReadLayer(calls.Pop(), layers, sites);
            return ok;
        }

        // What a chain starts from: Net.Input(...) at the top, the lambda's parameter inside a block.
        private bool ReadStart(IOperation? operation, IParameterSymbol? lambdaParameter)
        {
            switch (operation)
            {
                case null:
                    return false;

                case IInvocationOperation call when IsRelucentType(call.TargetMethod.ContainingType, "Net") && call.TargetMethod.Name == "Input":
                    if (lambdaParameter != null)
                    {
                        Report(DiagnosticDescriptors.NotAChain, LocationInfo.From(call.Syntax), "a block's chain must grow from its lambda's parameter (b => b.Conv2D(...)), not start a new Net.Input");
                        return false;
                    }
                    return ReadInput(call);

                case IParameterReferenceOperation reference when lambdaParameter != null && SymbolEqualityComparer.Default.Equals(reference.Parameter, lambdaParameter):
                    return true;

                case IInvocationOperation call when call.Instance != null || call.TargetMethod.IsExtensionMethod:
                    Report(DiagnosticDescriptors.UnknownCall, CallLocation(call.Syntax), call.TargetMethod.ContainingType.Name + "." + call.TargetMethod.Name, KnownCalls);
                    return false;

                case IInvalidOperation invalid when invalid.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member }:
                    // The compiler reports its own error too (e.g. CS1061); ours says what the chain allows.
                    Report(DiagnosticDescriptors.UnknownCall, CallLocation(invalid.Syntax), member.Name.Identifier.ValueText, KnownCalls);
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
            bool ok = true;
            foreach (IArgumentOperation argument in call.Arguments) ok &= ReadConstant(call, argument, site, values);
            if (!ok) return false;
            InputSite = site;
            Input = values.ContainsKey("features")
                ? Shape.Vector(Convert.ToInt32(values["features"], CultureInfo.InvariantCulture))
                : Shape.Image(Convert.ToInt32(values["channels"], CultureInfo.InvariantCulture), Convert.ToInt32(values["height"], CultureInfo.InvariantCulture),
                    Convert.ToInt32(values["width"], CultureInfo.InvariantCulture));
            return true;
        }

        private bool ReadLayer(IInvocationOperation call, List<Layer> layers, List<LayerSite> sites)
        {
            var site = new LayerSite(CallLocation(call.Syntax));
            if (!LayerCall.All.TryGetValue(call.TargetMethod.Name, out LayerCall? kind))
            {
                Report(DiagnosticDescriptors.UnknownCall, site.Call, call.TargetMethod.Name, KnownCalls);
                return false;
            }
            var values = new Dictionary<string, object?>();
            bool ok = true;
            foreach (IArgumentOperation argument in call.Arguments)
            {
                string parameter = argument.Parameter?.Name ?? "?";
                if (kind.Find(parameter) == null)
                {
                    throw new InvalidOperationException($"{kind.Method} declares no argument '{parameter}', which its DSL method has.");
                }
                ok &= IsChain(argument.Parameter?.Type)
                    ? ReadLambda(call, argument, site, values)
                    : ReadConstant(call, argument, site, values);
            }
            if (!ok) return false;
            layers.Add(kind.Read(new LayerArguments(values)));
            sites.Add(site);
            return true;
        }

        // A block's chain: a lambda b => b.Conv2D(...)... whose body is one chain grown from b; left out, it is null.
        private bool ReadLambda(IInvocationOperation call, IArgumentOperation argument, LayerSite site, Dictionary<string, object?> values)
        {
            string parameter = argument.Parameter!.Name;
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                values[parameter] = null;
                return true;
            }
            site.Arguments[parameter] = LocationInfo.From(argument.Syntax);
            IAnonymousFunctionOperation? lambda = (Unwrap(argument.Value) as IDelegateCreationOperation)?.Target as IAnonymousFunctionOperation;
            IOperation? body = lambda?.Body.Operations.Length == 1 ? (lambda.Body.Operations[0] as IReturnOperation)?.ReturnedValue : null;
            if (lambda == null || body == null || lambda.Symbol.Parameters.Length != 1)
            {
                Report(DiagnosticDescriptors.NotAChain, LocationInfo.From(argument.Syntax), $"the {parameter} of {call.TargetMethod.Name} must be a lambda returning one chain, b => b.Conv2D(...).ReLU()...");
                return false;
            }
            var layers = new List<Layer>();
            var sites = new List<LayerSite>();
            if (!ReadChain(body, lambda.Symbol.Parameters[0], layers, sites)) return false;
            site.Chains[parameter] = sites;
            values[parameter] = new EquatableArray<Layer>(layers);
            return true;
        }

        private bool ReadConstant(IInvocationOperation call, IArgumentOperation argument, LayerSite site, Dictionary<string, object?> values)
        {
            string parameter = argument.Parameter?.Name ?? "?";
            if (argument.ArgumentKind == ArgumentKind.Explicit) site.Arguments[parameter] = LocationInfo.From(argument.Syntax);
            object? value;
            bool found = argument.ArgumentKind == ArgumentKind.DefaultValue && argument.Parameter is { HasExplicitDefaultValue: true } declared
                ? TryDefault(declared, out value)
                : TryConstant(argument.Value, argument.Parameter?.Type, out value);
            if (!found)
            {
                Report(DiagnosticDescriptors.NotConstant, site.At(parameter), parameter, call.TargetMethod.Name);
                return false;
            }
            values[parameter] = value;
            return true;
        }

        // A parameter's declared default; for a Padding parameter "= default" means no padding.
        private static bool TryDefault(IParameterSymbol parameter, out object? value)
        {
            value = parameter.ExplicitDefaultValue;
            if (value == null && IsRelucentType(parameter.Type as INamedTypeSymbol, "Padding")) value = default(Padding);
            return value == null || IsUsable(value, parameter.Type);
        }

        private static bool TryConstant(IOperation? operation, ITypeSymbol? type, out object? value)
        {
            value = null;
            if (IsRelucentType(type as INamedTypeSymbol, "Padding")) return TryPadding(operation, out value);
            for (IOperation? current = operation; current != null; current = current is IConversionOperation conversion ? conversion.Operand : null)
            {
                if (current.ConstantValue.HasValue)
                {
                    value = current.ConstantValue.Value;
                    return IsUsable(value, type);
                }
            }
            return false;
        }

        // padding: 1 (an int converted implicitly), or new Padding(top: 3, left: 3, bottom: 2, right: 2) with constant arguments.
        private static bool TryPadding(IOperation? operation, out object? value)
        {
            value = null;
            operation = Unwrap(operation);
            if (operation is IConversionOperation { OperatorMethod: not null } conversion
                && conversion.Operand.ConstantValue is { HasValue: true, Value: int all })
            {
                value = (Padding)all;
                return true;
            }
            if (operation is IObjectCreationOperation creation && creation.Arguments.Length == 4)
            {
                var sides = new Dictionary<string, int>();
                foreach (IArgumentOperation side in creation.Arguments)
                {
                    if (!(side.Value.ConstantValue is { HasValue: true, Value: int v }) || side.Parameter == null) return false;
                    sides[side.Parameter.Name] = v;
                }
                value = new Padding(sides["top"], sides["left"], sides["bottom"], sides["right"]);
                return true;
            }
            if (operation is IDefaultValueOperation)
            {
                value = default(Padding);
                return true;
            }
            return false;
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
                default: return value == null || value is int || value is Padding; // int? stride, Padding
            }
        }

        private static bool IsChain(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "Func", TypeArguments.Length: 2 } func
            && func.TypeArguments.All(a => IsRelucentType(a as INamedTypeSymbol, "Network"));

        private static IOperation? Unwrap(IOperation? operation)
        {
            while (operation is IConversionOperation { IsImplicit: true, OperatorMethod: null } || operation is IParenthesizedOperation)
            {
                operation = operation is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operation!).Operand;
            }
            return operation;
        }

        private static bool IsRelucentType(INamedTypeSymbol? type, string name) =>
            type != null && type.Name == name && type.ContainingNamespace is { Name: "Relucent", ContainingNamespace.IsGlobalNamespace: true };

        /// <summary>The calls a chain may use, for RLC007's message.</summary>
        private static string KnownCalls => string.Join(", ", LayerCall.All.Keys.OrderBy(k => k, StringComparer.Ordinal));

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

        private static string Truncate(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

        private void Report(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }
}
