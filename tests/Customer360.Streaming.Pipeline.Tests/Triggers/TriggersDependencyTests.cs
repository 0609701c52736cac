using System.Reflection;
using Customer360.Streaming.Pipeline;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

/// <summary>
/// Inside the Pipeline, dependencies point one way: the context pipeline (the root namespace) uses the trigger stage,
/// and nothing in <c>Pipeline.Triggers</c> uses the root back (its signatures, fields and nested types name no root type).
/// </summary>
public sealed class TriggersDependencyTests
{
    private const string Root = "Customer360.Streaming.Pipeline";
    private const string Triggers = Root + ".Triggers";

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void TheTriggerStage_NamesNothingOfTheContextPipeline()
    {
        var triggerTypes = typeof(PipelineMetrics).Assembly.GetTypes().Where(t => t.Namespace == Triggers).ToList();

        var backReferences = triggerTypes
            .SelectMany(t => Referenced(t).Where(r => r.Namespace == Root).Select(r => $"{t.Name} → {r.Name}"))
            .Distinct()
            .ToList();

        Assert.NotEmpty(triggerTypes);
        Assert.Empty(backReferences);
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        var direct = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            direct.Add(baseType);
        }

        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(Everything).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(Everything).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                direct.Add(info.ReturnType);
            }
        }

        return direct.SelectMany(Unwrap);
    }

    /// <summary>A type and the element and generic argument types inside it.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }

        return type.IsGenericType ? type.GetGenericArguments().SelectMany(Unwrap).Append(type) : [type];
    }
}
