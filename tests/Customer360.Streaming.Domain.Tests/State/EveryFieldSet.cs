using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Customer360.Streaming.Domain.Context;

namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>
/// Builds an instance of a domain record with every settable property, recursively, set to a value other than its
/// default, by reflection: a field added to the record later is set too, so an encoding that forgets it fails.
/// </summary>
internal static class EveryFieldSet
{
    public static T Of<T>() => (T)new Filler().Value(typeof(T));

    private sealed class Filler
    {
        private int _next;

        public object Value(Type type)
        {
            var n = ++_next;
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                return Value(underlying);
            }

            if (type == typeof(string))
            {
                return $"s{n}";
            }

            if (type.IsEnum)
            {
                var values = Enum.GetValues(type);
                return values.GetValue(values.Length - 1)!;
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic
                && (generic == typeof(ImmutableList<>) || generic == typeof(IReadOnlyList<>)))
            {
                var element = type.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                list.Add(Value(element));
                list.Add(Value(element));
                return typeof(ImmutableList).GetMethod(nameof(ImmutableList.CreateRange))!.MakeGenericMethod(element).Invoke(null, [list])!;
            }

            if (type == typeof(RecentEvents))
            {
                return RecentEvents.Create([(AppliedEvent)Value(typeof(AppliedEvent)), (AppliedEvent)Value(typeof(AppliedEvent))]);
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
            {
                var element = type.GetGenericArguments()[0];
                var items = Array.CreateInstance(element, 2);
                items.SetValue(Value(element), 0);
                items.SetValue(Value(element), 1);
                var create = typeof(ImmutableArray).GetMethods()
                    .Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }]);
                return create.MakeGenericMethod(element).Invoke(null, [items])!;
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableSortedDictionary<,>))
            {
                var valueType = type.GetGenericArguments()[1];
                var empty = type.GetField(nameof(ImmutableSortedDictionary<string, int>.Empty))!.GetValue(null)!;
                var ordinal = type.GetMethod(nameof(ImmutableSortedDictionary<string, int>.WithComparers), [typeof(IComparer<string>)])!.Invoke(empty, [StringComparer.Ordinal])!;
                var add = type.GetMethod(nameof(ImmutableSortedDictionary<string, int>.Add))!;
                return add.Invoke(ordinal, [$"k{n}", Value(valueType)])!;
            }

            return type switch
            {
                _ when type == typeof(long) => 1_790_000_000_000L + n,
                _ when type == typeof(int) => 10 + n,
                _ when type == typeof(double) => 1.5 + n,
                _ when type == typeof(decimal) => 2.25m + n,
                _ when type == typeof(bool) => true,
                _ when type == typeof(Guid) => new Guid(n, 7, 7, new byte[8]),
                _ => Record(type),
            };
        }

        private object Record(Type type)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var instance = constructor.Invoke([.. constructor.GetParameters().Select(p => Value(p.ParameterType))]);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
            {
                property.SetValue(instance, Value(property.PropertyType));
            }

            return instance;
        }
    }
}
