using Microsoft.CodeAnalysis;

namespace Relucent.Generator.Diagnostics
{
    /// <summary>
    /// Every diagnostic the generator reports. IDs are stable and never reused; each is documented in
    /// docs/diagnostics.md with a wrong example, the message and the fix.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Relucent";
        private const string HelpBase = "https://github.com/relucent/relucent/blob/main/docs/diagnostics.md#";

        public static readonly DiagnosticDescriptor ClassNotPartial = Error(
            "RLC001", "Network class must be partial",
            "Class '{0}' carries a Relucent rule attribute but is not partial; declare it 'partial class {0}' so the generated members can join it");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
            "RLC002", "Containing type must be partial",
            "Class '{0}' is nested in '{1}', which is not partial; declare '{1}' partial too");

        public static readonly DiagnosticDescriptor NoNetworkMember = Error(
            "RLC003", "No Network member",
            "Class '{0}' has no static member of type Relucent.Network; declare one, e.g. 'static readonly Network Spec = Net.Input(8).Dense(4);'");

        public static readonly DiagnosticDescriptor SeveralNetworkMembers = Error(
            "RLC004", "More than one Network member",
            "Class '{0}' declares a second static Network member '{1}'; a rule class holds exactly one network");

        public static readonly DiagnosticDescriptor NotAChain = Error(
            "RLC005", "Network is not a chain from Net.Input",
            "The network must be initialised with one fluent chain starting at Net.Input(...): {0}");

        public static readonly DiagnosticDescriptor NotConstant = Error(
            "RLC006", "Argument is not a compile-time constant",
            "Argument '{0}' of {1} must be a compile-time constant so the generator can specialise the code; use a literal or a const");

        public static readonly DiagnosticDescriptor UnknownCall = Error(
            "RLC007", "Unknown call in the network chain",
            "'{0}' is not a Relucent layer call; the chain may use {1}");

        public static readonly DiagnosticDescriptor InvalidArgument = Error(
            "RLC008", "Invalid layer argument",
            "{0}");

        public static readonly DiagnosticDescriptor ShapeMismatch = Error(
            "RLC009", "Layer does not fit its input shape",
            "{0}");

        public static readonly DiagnosticDescriptor ResidualShape = Error(
            "RLC010", "Residual branch changes the shape",
            "{0}");

        public static readonly DiagnosticDescriptor TooLarge = Error(
            "RLC011", "Tensor too large",
            "{0}");

        public static readonly DiagnosticDescriptor DuplicateName = Error(
            "RLC012", "Duplicate parameter name",
            "{0}");

        public static readonly DiagnosticDescriptor NoRelu = new DiagnosticDescriptor(
            "RLC013", "Network has no ReLU",
            "The network of '{0}' has no ReLU, so Saliency, DeconvNet and GuidedBackprop all give the same map (the gradient)",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + "rlc013");

        public static readonly DiagnosticDescriptor GenericClass = Error(
            "RLC014", "Network class cannot be generic",
            "Class '{0}' has type parameters; a network class must not be generic (nor nested in a generic type)");

        public static readonly DiagnosticDescriptor NotInstantiable = Error(
            "RLC015", "Network class must be a plain class",
            "Class '{0}' is {1}; a network class must be a non-static, non-abstract class (not a record): the generated network is an instance holding its parameters");

        public static readonly DiagnosticDescriptor MemberCollision = Error(
            "RLC016", "Member name is used by the generated code",
            "'{0}' declares a member named '{1}', which the generator writes for this network; rename it");

        public static readonly DiagnosticDescriptor BaseClass = Error(
            "RLC017", "Network class cannot declare a base class",
            "'{0}' derives from '{1}', but the generated code derives it from Relucent.GeneratedNetwork, which holds what every network shares; remove the base class (an interface is fine)");

        public static readonly DiagnosticDescriptor BeyondLimits = Error(
            "RLC018", "Network beyond Relucent's limits",
            "{0}");

        public static readonly DiagnosticDescriptor LrpUnsupportedLayer = Error(
            "RLC019", "Layer LRP cannot explain",
            "'{0}' asks for LRP ({1}), but {2} has no relevance rule: LRP explains the logits, so end the network before the softmax (apply it to the logits yourself)");

        public static readonly DiagnosticDescriptor LrpBadBounds = Error(
            "RLC020", "EpsilonGammaBox bounds are not an interval",
            "EpsilonGammaBox needs finite bounds with low < high (the lowest and highest value an input can take); got low = {0}, high = {1}");

        // Last resort: a bug in the generator becomes this error on the class instead of warning CS8785
        // and silently missing code.
        public static readonly DiagnosticDescriptor InternalError = Error(
            "RLC099", "Relucent generator failed",
            "The Relucent generator failed on '{0}': {1}; please report this with the declaration");

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: HelpBase + id.ToLowerInvariant());
    }
}
