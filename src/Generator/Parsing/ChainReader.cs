using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
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
    /// block's chains lambdas. A repeated block is written once: a static helper method declared in the network's file whose
    /// body is one chain is read with its call's constant arguments (<see cref="Constants"/>), and <c>Repeat</c> is unrolled.
    /// Anything else becomes a diagnostic at its site, and reading goes on so that every independent mistake is reported.
    /// </summary>
    internal sealed class ChainReader
    {
        // How deeply helper methods may call one another: far beyond any real network, and short of any recursion.
        private const int MaxHelperDepth = 32;

        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly Compilation _compilation;
        private readonly SyntaxTree _file;
        private readonly CancellationToken _cancellation;
        private int _helperDepth;
        private int _unrolled;

        public ChainReader(List<DiagnosticInfo> diagnostics, Compilation compilation, SyntaxTree file, CancellationToken cancellation)
        {
            _diagnostics = diagnostics;
            _compilation = compilation;
            _file = file;
            _cancellation = cancellation;
        }

        /// <summary>The shape given to <c>Net.Input</c>, once read.</summary>
        public Shape? Input { get; private set; }

        /// <summary>The site of the <c>Net.Input</c> call.</summary>
        public LayerSite? InputSite { get; private set; }

        /// <summary>Reads the chain rooted at <c>Net.Input</c>; false when a diagnostic was reported.</summary>
        public bool ReadNetwork(IOperation? operation, List<Layer> layers, List<LayerSite> sites) =>
            ReadChain(operation, new Scope(null, new Dictionary<IParameterSymbol, object?>(SymbolEqualityComparer.Default)), layers, sites);

        /// <summary>
        /// Where a chain being read may start (<c>Net.Input</c> when <see cref="Start"/> is null, else that parameter, which
        /// stands for the chain so far) and the constants bound to the parameters of the helpers and lambdas around it.
        /// </summary>
        private sealed class Scope
        {
            public Scope(IParameterSymbol? start, IReadOnlyDictionary<IParameterSymbol, object?> bindings)
            {
                Start = start;
                Bindings = bindings;
            }

            public IParameterSymbol? Start { get; }

            public IReadOnlyDictionary<IParameterSymbol, object?> Bindings { get; }

            public Scope With(IParameterSymbol start, params (IParameterSymbol Parameter, object? Value)[] more)
            {
                var bindings = new Dictionary<IParameterSymbol, object?>(SymbolEqualityComparer.Default);
                foreach (var pair in Bindings) bindings[pair.Key] = pair.Value;
                foreach (var (parameter, value) in more) bindings[parameter] = value;
                return new Scope(start, bindings);
            }
        }

        // A chain is calls nested through their receivers: x.A().B() is B(A(x)). They are collected first, so a chain of
        // any length is read without recursion, then read in order.
        private bool ReadChain(IOperation? operation, Scope scope, List<Layer> layers, List<LayerSite> sites)
        {
            var calls = new Stack<IInvocationOperation>();
            operation = Unwrap(operation);
            while (operation is IInvocationOperation call && IsRelucentType(call.TargetMethod.ContainingType, "Network") && !call.TargetMethod.IsStatic)
            {
                calls.Push(call);
                operation = Unwrap(call.Instance);
            }
            if (!ReadStart(operation, scope, layers, sites)) return false;
            bool ok = true;
            while (calls.Count > 0)
            {
                IInvocationOperation call = calls.Pop();
                ok &= call.TargetMethod.Name switch
                {
                    "Then" => ReadThen(call, scope, layers, sites),
                    "Repeat" => ReadRepeat(call, scope, layers, sites),
                    _ => ReadLayer(call, scope, layers, sites),
                };
            }
            return ok;
        }

        // What a chain starts from: Net.Input(...) at the top, the parameter standing for the chain so far inside a
        // lambda or helper, or a helper method called on a chain.
        private bool ReadStart(IOperation? operation, Scope scope, List<Layer> layers, List<LayerSite> sites)
        {
            switch (operation)
            {
                case null:
                    return false;

                case IInvocationOperation call when IsRelucentType(call.TargetMethod.ContainingType, "Net") && call.TargetMethod.Name == "Input":
                    if (scope.Start != null)
                    {
                        Report(DiagnosticDescriptors.NotAChain, LocationInfo.From(call.Syntax), "a block's chain must grow from its lambda's parameter (b => b.Conv2D(...)), not start a new Net.Input");
                        return false;
                    }
                    return ReadInput(call, scope);

                case IParameterReferenceOperation reference when scope.Start != null && SymbolEqualityComparer.Default.Equals(reference.Parameter, scope.Start):
                    return true;

                case IInvocationOperation call when IsHelper(call.TargetMethod):
                    return ReadHelper(call, scope, layers, sites);

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

        private bool ReadInput(IInvocationOperation call, Scope scope)
        {
            var site = new LayerSite(CallLocation(call.Syntax));
            var values = new Dictionary<string, object?>();
            bool ok = true;
            foreach (IArgumentOperation argument in call.Arguments) ok &= ReadConstant(call, argument, scope, site, values);
            if (!ok) return false;
            InputSite = site;
            Input = values.ContainsKey("features")
                ? Shape.Vector((int)values["features"]!)
                : Shape.Image((int)values["channels"]!, (int)values["height"]!, (int)values["width"]!);
            return true;
        }

        // A static helper in the network's file, Network Block(Network b, int width, ...) => b.Conv2D(width, ...)...: its
        // first argument is the chain so far, the others constants; its body is read with its parameters bound to them.
        private bool ReadHelper(IInvocationOperation call, Scope scope, List<Layer> layers, List<LayerSite> sites)
        {
            IMethodSymbol helper = call.TargetMethod;
            IOperation? body = HelperBody(helper, call);
            if (body == null) return false;
            if (_helperDepth >= MaxHelperDepth)
            {
                Report(DiagnosticDescriptors.NotAChain, CallLocation(call.Syntax), $"helper methods call one another more than {MaxHelperDepth} deep (is '{helper.Name}' recursive?)");
                return false;
            }
            var bound = new List<(IParameterSymbol, object?)>();
            bool ok = true;
            foreach (IArgumentOperation argument in call.Arguments)
            {
                IParameterSymbol parameter = argument.Parameter!;
                if (parameter.Ordinal == 0) continue;
                if (IsChain(parameter.Type))
                {
                    if (Constants.TryLambda(argument.Value, scope.Bindings, out Constants.Lambda? lambda)) bound.Add((parameter, lambda));
                    else ok = Fail(DiagnosticDescriptors.NotAChain, LocationInfo.From(argument.Syntax), $"the {parameter.Name} of {helper.Name} must be a lambda (or null)");
                    continue;
                }
                object? value = null;
                bool found = argument.ArgumentKind == ArgumentKind.DefaultValue
                    ? parameter.HasExplicitDefaultValue && TryDefault(parameter, out value)
                    : Constants.TryEvaluate(argument.Value, parameter.Type, scope.Bindings, out value);
                if (found) bound.Add((parameter, value));
                else ok = Fail(DiagnosticDescriptors.NotConstant, LocationInfo.From(argument.Syntax), parameter.Name, helper.Name);
            }
            IArgumentOperation chain = call.Arguments.First(a => a.Parameter!.Ordinal == 0);
            ok &= ReadChain(chain.Value, scope, layers, sites);
            if (!ok) return false;
            _helperDepth++;
            try
            {
                return ReadChain(body, new Scope(null, EmptyBindings).With(helper.Parameters[0], bound.ToArray()), layers, sites);
            }
            finally
            {
                _helperDepth--;
            }
        }

        // The one chain a helper returns: an expression body or a single return statement, declared in the network's file
        // (the generator reads that file again whenever it changes, so an edit to the helper regenerates the network).
        private IOperation? HelperBody(IMethodSymbol helper, IInvocationOperation call)
        {
            var declaration = helper.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellation)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            ExpressionSyntax? expression = declaration?.ExpressionBody?.Expression
                ?? (declaration?.Body?.Statements.Count == 1 ? (declaration.Body.Statements[0] as ReturnStatementSyntax)?.Expression : null);
            if (declaration == null || expression == null)
            {
                Report(DiagnosticDescriptors.NotAChain, CallLocation(call.Syntax), $"the helper '{helper.Name}' must return one chain grown from its first parameter (=> b.Conv2D(...)...)");
                return null;
            }
            if (declaration.SyntaxTree != _file)
            {
                Report(DiagnosticDescriptors.NotAChain, CallLocation(call.Syntax), $"the helper '{helper.Name}' must be declared in the same file as the network");
                return null;
            }
            return _compilation.GetSemanticModel(declaration.SyntaxTree).GetOperation(expression, _cancellation);
        }

        // .Then(b => ...): the lambda's chain continues this one.
        private bool ReadThen(IInvocationOperation call, Scope scope, List<Layer> layers, List<LayerSite> sites)
        {
            IArgumentOperation argument = call.Arguments[0];
            if (!Constants.TryLambda(argument.Value, scope.Bindings, out Constants.Lambda? lambda) || lambda == null || lambda.Operation.Symbol.Parameters.Length != 1)
            {
                return Fail(DiagnosticDescriptors.NotAChain, LocationInfo.From(argument.Syntax), "Then takes a lambda continuing the chain, b => Block(b, ...)");
            }
            return ReadChain(Body(lambda.Operation), Rebind(lambda, lambda.Operation.Symbol.Parameters[0]), layers, sites);
        }

        // .Repeat(count, (b, i) => ...): the lambda's chain, count times, with i = 0, 1, ...
        private bool ReadRepeat(IInvocationOperation call, Scope scope, List<Layer> layers, List<LayerSite> sites)
        {
            IArgumentOperation count = call.Arguments.First(a => a.Parameter!.Ordinal == 0), block = call.Arguments.First(a => a.Parameter!.Ordinal == 1);
            if (!Constants.TryEvaluate(count.Value, count.Parameter!.Type, scope.Bindings, out object? value) || !(value is int times))
            {
                return Fail(DiagnosticDescriptors.NotConstant, LocationInfo.From(count.Syntax), "count", "Repeat");
            }
            if (times < 0 || _unrolled + (long)times > Limits.MaxLayers)
            {
                return Fail(DiagnosticDescriptors.InvalidArgument, LocationInfo.From(count.Syntax), $"Repeat count must be between 0 and {Limits.MaxLayers} (the most layers a network may hold), got {times}");
            }
            if (!Constants.TryLambda(block.Value, scope.Bindings, out Constants.Lambda? lambda) || lambda == null || lambda.Operation.Symbol.Parameters.Length != 2)
            {
                return Fail(DiagnosticDescriptors.NotAChain, LocationInfo.From(block.Syntax), "Repeat takes a lambda (b, i) => ... continuing the chain");
            }
            _unrolled += times;
            IParameterSymbol chain = lambda.Operation.Symbol.Parameters[0], index = lambda.Operation.Symbol.Parameters[1];
            for (int i = 0; i < times; i++)
            {
                if (!ReadChain(Body(lambda.Operation), Rebind(lambda, chain, (index, i)), layers, sites)) return false;
            }
            return true;
        }

        private bool ReadLayer(IInvocationOperation call, Scope scope, List<Layer> layers, List<LayerSite> sites)
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
                    ? ReadLambda(call, argument, scope, site, values)
                    : ReadConstant(call, argument, scope, site, values);
            }
            if (!ok) return false;
            layers.Add(kind.Read(new LayerArguments(values)));
            sites.Add(site);
            return true;
        }

        // A block's chain: a lambda b => b.Conv2D(...)... whose body is one chain grown from b; left out or null, it is null.
        private bool ReadLambda(IInvocationOperation call, IArgumentOperation argument, Scope scope, LayerSite site, Dictionary<string, object?> values)
        {
            string parameter = argument.Parameter!.Name;
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                values[parameter] = null;
                return true;
            }
            site.Arguments[parameter] = LocationInfo.From(argument.Syntax);
            if (!Constants.TryLambda(argument.Value, scope.Bindings, out Constants.Lambda? lambda) || lambda != null && lambda.Operation.Symbol.Parameters.Length != 1)
            {
                return Fail(DiagnosticDescriptors.NotAChain, LocationInfo.From(argument.Syntax), $"the {parameter} of {call.TargetMethod.Name} must be a lambda returning one chain, b => b.Conv2D(...).ReLU()...");
            }
            if (lambda == null)
            {
                values[parameter] = null;
                return true;
            }
            var layers = new List<Layer>();
            var sites = new List<LayerSite>();
            if (!ReadChain(Body(lambda.Operation), Rebind(lambda, lambda.Operation.Symbol.Parameters[0]), layers, sites)) return false;
            site.Chains[parameter] = sites;
            values[parameter] = new EquatableArray<Layer>(layers);
            return true;
        }

        private bool ReadConstant(IInvocationOperation call, IArgumentOperation argument, Scope scope, LayerSite site, Dictionary<string, object?> values)
        {
            IParameterSymbol? declared = argument.Parameter;
            string parameter = declared?.Name ?? "?";
            if (argument.ArgumentKind == ArgumentKind.Explicit) site.Arguments[parameter] = LocationInfo.From(argument.Syntax);
            object? value;
            bool found = argument.ArgumentKind == ArgumentKind.DefaultValue && declared is { HasExplicitDefaultValue: true }
                ? TryDefault(declared, out value)
                : Constants.TryEvaluate(argument.Value, declared?.Type, scope.Bindings, out value);
            if (!found) return Fail(DiagnosticDescriptors.NotConstant, site.At(parameter), parameter, call.TargetMethod.Name);
            values[parameter] = value;
            return true;
        }

        // A parameter's declared default; for a Padding parameter "= default" means no padding.
        private static bool TryDefault(IParameterSymbol parameter, out object? value)
        {
            value = parameter.ExplicitDefaultValue;
            if (value == null && IsRelucentType(parameter.Type as INamedTypeSymbol, "Padding")) value = default(Padding);
            return true;
        }

        private static readonly IReadOnlyDictionary<IParameterSymbol, object?> EmptyBindings = new Dictionary<IParameterSymbol, object?>(SymbolEqualityComparer.Default);

        // The lambda's body chain starts at its parameter; it sees the bindings it was written under, and its own.
        private static Scope Rebind(Constants.Lambda lambda, IParameterSymbol start, params (IParameterSymbol, object?)[] more) =>
            new Scope(null, lambda.Bindings).With(start, more);

        private static IOperation? Body(IAnonymousFunctionOperation lambda) =>
            lambda.Body.Operations.Length == 1 ? (lambda.Body.Operations[0] as IReturnOperation)?.ReturnedValue : null;

        // A helper: a static method called as Helper(b, ...), taking the chain first and returning it, declared in source (the
        // file is checked when its body is read): the network's own class's, or a static class's beside it that several
        // networks share. An extension method called as b.Helper() is not one: the chain's calls are Relucent's own.
        private static bool IsHelper(IMethodSymbol method) =>
            method.IsStatic && !method.IsExtensionMethod && method.Parameters.Length > 0 && !method.DeclaringSyntaxReferences.IsEmpty
            && IsRelucentType(method.ReturnType as INamedTypeSymbol, "Network") && IsRelucentType(method.Parameters[0].Type as INamedTypeSymbol, "Network");

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
        private static string KnownCalls => string.Join(", ", LayerCall.All.Keys.Concat(new[] { "Then", "Repeat" }).OrderBy(k => k, StringComparer.Ordinal));

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

        private bool Fail(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments)
        {
            Report(descriptor, location, arguments);
            return false;
        }

        private void Report(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }
}
