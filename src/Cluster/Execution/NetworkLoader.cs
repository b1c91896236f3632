using System.Reflection;

namespace Relucent.Cluster.Execution
{
    /// <summary>Finds a generated network class by name and loads it from a weights file through its own <c>Load(path)</c>.</summary>
    internal static class NetworkLoader
    {
        /// <exception cref="ArgumentException">
        /// The type is not found on this silo, has no generated <c>Load(string)</c>, or does not compute in float32.
        /// </exception>
        public static IExplainer<float> Load(string typeName, string weights)
        {
            Type type = Type.GetType(typeName, throwOnError: false)
                ?? throw new ArgumentException(
                    $"Network class '{typeName}' is not found on this silo: every silo must load the assembly that declares it (name it as \"Namespace.Class, Assembly\").",
                    nameof(typeName));
            MethodInfo? load = type.GetMethod("Load", BindingFlags.Public | BindingFlags.Static, [typeof(string)]);
            if (load is null || !type.IsAssignableFrom(load.ReturnType))
            {
                throw new ArgumentException($"'{type.FullName}' has no static Load(string path): is it a Relucent network class (partial, with backward-rule attributes)?", nameof(typeName));
            }

            if (!typeof(IExplainer<float>).IsAssignableFrom(type))
            {
                throw new ArgumentException($"'{type.FullName}' does not compute in float32 (IExplainer<float>); the cluster runs float32 networks.", nameof(typeName));
            }

            try
            {
                return (IExplainer<float>)load.Invoke(null, [weights])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new ArgumentException($"Loading '{type.FullName}' from '{weights}': {e.InnerException.Message}", nameof(weights), e.InnerException);
            }
        }
    }
}
