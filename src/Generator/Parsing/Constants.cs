using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Relucent.Model;

namespace Relucent.Generator.Parsing
{
    /// <summary>
    /// Evaluates the constant expressions a declaration may use where a size is expected: literals and <c>const</c>s, and,
    /// inside a helper method or a <c>Repeat</c>, its parameters bound to the call's constants, with integer and string
    /// arithmetic, comparisons, <c>?:</c> and interpolated strings (<c>$"layer1.{i + 1}"</c>). Arithmetic is checked: an
    /// overflow is no constant. Lambdas bound to a helper's <c>Func</c> parameters travel with the constants they see.
    /// </summary>
    internal static class Constants
    {
        /// <summary>A lambda passed to a helper method, with the bindings it was written under.</summary>
        public sealed class Lambda
        {
            public Lambda(IAnonymousFunctionOperation operation, IReadOnlyDictionary<IParameterSymbol, object?> bindings)
            {
                Operation = operation;
                Bindings = bindings;
            }

            public IAnonymousFunctionOperation Operation { get; }

            public IReadOnlyDictionary<IParameterSymbol, object?> Bindings { get; }
        }

        /// <summary>The value of <paramref name="operation"/> under <paramref name="bindings"/>, converted to <paramref name="type"/>.</summary>
        public static bool TryEvaluate(IOperation? operation, ITypeSymbol? type, IReadOnlyDictionary<IParameterSymbol, object?> bindings, out object? value)
        {
            value = null;
            if (!TryValue(operation, bindings, out object? raw)) return false;
            return TryConvert(raw, type, out value);
        }

        /// <summary>A lambda argument: written in place, or a helper's parameter bound to one; null when it is <c>null</c>.</summary>
        public static bool TryLambda(IOperation? operation, IReadOnlyDictionary<IParameterSymbol, object?> bindings, out Lambda? lambda)
        {
            lambda = null;
            operation = Skip(operation);
            switch (operation)
            {
                case IDelegateCreationOperation { Target: IAnonymousFunctionOperation function }:
                    lambda = new Lambda(function, bindings);
                    return true;
                case IAnonymousFunctionOperation function:
                    lambda = new Lambda(function, bindings);
                    return true;
                case IParameterReferenceOperation reference when bindings.TryGetValue(reference.Parameter, out object? bound) && (bound is Lambda || bound == null):
                    lambda = (Lambda?)bound;
                    return true;
                case IConditionalOperation conditional when TryValue(conditional.Condition, bindings, out object? condition) && condition is bool which:
                    return TryLambda(which ? conditional.WhenTrue : conditional.WhenFalse, bindings, out lambda);
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                case IDefaultValueOperation:
                    return true;
                default:
                    return false;
            }
        }

        private static bool TryValue(IOperation? operation, IReadOnlyDictionary<IParameterSymbol, object?> bindings, out object? value)
        {
            value = null;
            if (operation == null) return false;
            if (operation.ConstantValue.HasValue)
            {
                value = operation.ConstantValue.Value;
                return true;
            }
            try
            {
                switch (operation)
                {
                    case IParenthesizedOperation parenthesized:
                        return TryValue(parenthesized.Operand, bindings, out value);
                    case IConversionOperation { OperatorMethod: null } conversion:
                        return TryValue(conversion.Operand, bindings, out object? operand) && TryConvert(operand, conversion.Type, out value);
                    case IConversionOperation conversion when IsPadding(conversion.Type):
                        return TryValue(conversion.Operand, bindings, out object? all) && all is int sides && Set(out value, (Padding)sides);
                    case IParameterReferenceOperation reference:
                        return bindings.TryGetValue(reference.Parameter, out value) && !(value is Lambda);
                    case IUnaryOperation unary:
                        return TryValue(unary.Operand, bindings, out object? inner) && TryUnary(unary.OperatorKind, inner, out value);
                    case IBinaryOperation binary:
                        return TryValue(binary.LeftOperand, bindings, out object? left) && TryValue(binary.RightOperand, bindings, out object? right)
                            && TryBinary(binary.OperatorKind, left, right, out value);
                    case IConditionalOperation conditional:
                        return TryValue(conditional.Condition, bindings, out object? condition) && condition is bool which
                            && TryValue(which ? conditional.WhenTrue : conditional.WhenFalse, bindings, out value);
                    case IInterpolatedStringOperation interpolated:
                        return TryInterpolated(interpolated, bindings, out value);
                    case IObjectCreationOperation creation when IsPadding(creation.Type) && creation.Arguments.Length == 4:
                        var sides2 = new Dictionary<string, int>();
                        foreach (IArgumentOperation side in creation.Arguments)
                        {
                            if (side.Parameter == null || !TryValue(side.Value, bindings, out object? v) || !(v is int n)) return false;
                            sides2[side.Parameter.Name] = n;
                        }
                        value = new Padding(sides2["top"], sides2["left"], sides2["bottom"], sides2["right"]);
                        return true;
                    case IInvocationOperation invocation when IsLrpRule(invocation.TargetMethod.ContainingType):
                        return TryRule(invocation, bindings, out value);
                    case IDefaultValueOperation defaultValue when IsPadding(defaultValue.Type):
                        value = default(Padding);
                        return true;
                    default:
                        return false;
                }
            }
            catch (OverflowException)
            {
                return false; // a constant that does not fit its type is no size
            }
        }

        private static bool TryInterpolated(IInterpolatedStringOperation interpolated, IReadOnlyDictionary<IParameterSymbol, object?> bindings, out object? value)
        {
            value = null;
            var text = new StringBuilder();
            foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
            {
                switch (part)
                {
                    case IInterpolatedStringTextOperation literal:
                        text.Append(literal.Text.ConstantValue.Value as string);
                        break;
                    case IInterpolationOperation { Alignment: null, FormatString: null } hole when TryValue(hole.Expression, bindings, out object? inner) && inner != null:
                        text.Append(Convert.ToString(inner, CultureInfo.InvariantCulture));
                        break;
                    default:
                        return false;
                }
            }
            value = text.ToString();
            return true;
        }

        private static bool TryUnary(UnaryOperatorKind kind, object? operand, out object? value)
        {
            value = null;
            switch (kind)
            {
                case UnaryOperatorKind.Minus when operand is int i: return Set(out value, checked(-i));
                case UnaryOperatorKind.Minus when operand is double d: return Set(out value, -d);
                case UnaryOperatorKind.Plus when operand is int || operand is double: return Set(out value, operand);
                case UnaryOperatorKind.Not when operand is bool b: return Set(out value, !b);
                default: return false;
            }
        }

        private static bool TryBinary(BinaryOperatorKind kind, object? left, object? right, out object? value)
        {
            value = null;
            if (left is int a && right is int b)
            {
                switch (kind)
                {
                    case BinaryOperatorKind.Add: return Set(out value, checked(a + b));
                    case BinaryOperatorKind.Subtract: return Set(out value, checked(a - b));
                    case BinaryOperatorKind.Multiply: return Set(out value, checked(a * b));
                    case BinaryOperatorKind.Divide: return b != 0 && Set(out value, checked(a / b));
                    case BinaryOperatorKind.Remainder: return b != 0 && Set(out value, a % b);
                    case BinaryOperatorKind.Equals: return Set(out value, a == b);
                    case BinaryOperatorKind.NotEquals: return Set(out value, a != b);
                    case BinaryOperatorKind.LessThan: return Set(out value, a < b);
                    case BinaryOperatorKind.LessThanOrEqual: return Set(out value, a <= b);
                    case BinaryOperatorKind.GreaterThan: return Set(out value, a > b);
                    case BinaryOperatorKind.GreaterThanOrEqual: return Set(out value, a >= b);
                }
            }
            if ((left is double || left is int) && (right is double || right is int) && (left is double || right is double))
            {
                double x = Convert.ToDouble(left, CultureInfo.InvariantCulture), y = Convert.ToDouble(right, CultureInfo.InvariantCulture);
                switch (kind)
                {
                    case BinaryOperatorKind.Add: return Set(out value, x + y);
                    case BinaryOperatorKind.Subtract: return Set(out value, x - y);
                    case BinaryOperatorKind.Multiply: return Set(out value, x * y);
                    case BinaryOperatorKind.Divide: return Set(out value, x / y);
                }
            }
            if (left is bool p && right is bool q)
            {
                switch (kind)
                {
                    case BinaryOperatorKind.ConditionalAnd:
                    case BinaryOperatorKind.And: return Set(out value, p && q);
                    case BinaryOperatorKind.ConditionalOr:
                    case BinaryOperatorKind.Or: return Set(out value, p || q);
                    case BinaryOperatorKind.Equals: return Set(out value, p == q);
                    case BinaryOperatorKind.NotEquals: return Set(out value, p != q);
                }
            }
            if (kind == BinaryOperatorKind.Add && (left is string || right is string))
            {
                return Set(out value, Convert.ToString(left, CultureInfo.InvariantCulture) + Convert.ToString(right, CultureInfo.InvariantCulture));
            }
            if ((kind == BinaryOperatorKind.Equals || kind == BinaryOperatorKind.NotEquals) && (left is string || left == null) && (right is string || right == null))
            {
                return Set(out value, string.Equals((string?)left, (string?)right, StringComparison.Ordinal) == (kind == BinaryOperatorKind.Equals));
            }
            return false;
        }

        // A value of the type the parameter declares; a constant of another type (only in code that does not compile) is none.
        private static bool TryConvert(object? raw, ITypeSymbol? type, out object? value)
        {
            value = raw;
            if (IsPadding(type)) return raw is Padding || raw is int && Set(out value, (Padding)(int)raw) || raw == null && Set(out value, default(Padding));
            switch (type?.SpecialType)
            {
                case SpecialType.System_Int32: return raw is int;
                case SpecialType.System_Double: return (raw is double || raw is int || raw is float || raw is long) && Set(out value, Convert.ToDouble(raw, CultureInfo.InvariantCulture));
                case SpecialType.System_Boolean: return raw is bool;
                case SpecialType.System_String: return raw == null || raw is string;
                default: return raw == null || raw is int || raw is LrpRule && IsLrpRule(type); // int? stride, LrpRule? rule
            }
        }

        // LrpRule.Gamma(0.25): the factory called with constants (a default argument included), as the run-time call builds it.
        private static bool TryRule(IInvocationOperation invocation, IReadOnlyDictionary<IParameterSymbol, object?> bindings, out object? value)
        {
            value = null;
            var arguments = new Dictionary<string, double>();
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                object? raw = argument.ArgumentKind == ArgumentKind.DefaultValue ? argument.Parameter?.ExplicitDefaultValue : null;
                if (argument.Parameter == null || raw == null && !TryValue(argument.Value, bindings, out raw) || !TryConvert(raw, argument.Parameter.Type, out object? number)
                    || !(number is double d))
                {
                    return false;
                }
                arguments[argument.Parameter.Name] = d;
            }
            switch (invocation.TargetMethod.Name)
            {
                case nameof(LrpRule.Epsilon): return Set(out value, LrpRule.Epsilon());
                case nameof(LrpRule.ZPlus): return Set(out value, LrpRule.ZPlus());
                case nameof(LrpRule.AlphaBeta): return Set(out value, LrpRule.AlphaBeta());
                case nameof(LrpRule.Flat): return Set(out value, LrpRule.Flat());
                case nameof(LrpRule.Gamma): return Set(out value, LrpRule.Gamma(arguments["gamma"]));
                case nameof(LrpRule.ZBox): return Set(out value, LrpRule.ZBox(arguments["low"], arguments["high"]));
                default: return false;
            }
        }

        private static bool IsLrpRule(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "LrpRule" } named && named.ContainingNamespace is { Name: "Relucent", ContainingNamespace.IsGlobalNamespace: true };

        private static bool IsPadding(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "Padding" } named && named.ContainingNamespace is { Name: "Relucent", ContainingNamespace.IsGlobalNamespace: true };

        private static IOperation? Skip(IOperation? operation)
        {
            while (operation is IConversionOperation { OperatorMethod: null } || operation is IParenthesizedOperation)
            {
                operation = operation is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operation!).Operand;
            }
            return operation;
        }

        private static bool Set(out object? value, object? result)
        {
            value = result;
            return true;
        }
    }
}
