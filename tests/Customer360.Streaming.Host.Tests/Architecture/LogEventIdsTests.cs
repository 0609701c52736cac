using System.Reflection;
using Customer360.Streaming.Host.Hosting;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Host.Tests.Architecture;

/// <summary>
/// Every log line the product writes has an event id of its own (the number in brackets after the category), so an
/// operator's filter or alert on one id catches that line and no other. A new line given a taken id compiles.
/// </summary>
public sealed class LogEventIdsTests
{
    [Fact]
    public void No_two_log_lines_of_the_product_share_an_event_id()
    {
        var lines = ProductAssemblies()
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.FullName}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(line => line.Attribute is not null)
            .ToList();

        Assert.True(lines.Count >= 40, $"{lines.Count} log lines found: the scan no longer finds them");
        var shared = lines.GroupBy(line => line.Attribute!.EventId)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(line => line.Method))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids given to more than one log line: " + string.Join("; ", shared));
    }

    private static IEnumerable<Assembly> ProductAssemblies()
    {
        var host = typeof(ProcessorHost).Assembly;
        return host.GetReferencedAssemblies()
            .Where(name => name.Name!.StartsWith("Customer360.Streaming.", StringComparison.Ordinal))
            .Select(Assembly.Load)
            .Append(host)
            .Distinct();
    }
}
