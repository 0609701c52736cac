using System.Reflection;
using Customer360.Streaming.Domain;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Checks that every setting of <typeparamref name="TOptions"/> with named values was given a name. The configuration
/// binder also takes a number (<c>2</c>, the member of that value, defined or not) and a list (<c>Fail, DeadLetter</c>,
/// the members or-ed into another), and the bound value no longer shows which was written; so this reads the
/// configuration's text.
/// </summary>
internal sealed class EnumSettingNames<TOptions>(IConfiguration configuration, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly PropertyInfo[] EnumProperties =
        [.. typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType.IsEnum && p.CanWrite)];

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var property in EnumProperties)
        {
            var written = configuration.GetSection(section)[property.Name];
            if (written is not null && !EnumNames.IsName(property.PropertyType, written))
            {
                failures.Add($"{section}:{property.Name} must be one of {string.Join(", ", Enum.GetNames(property.PropertyType))} (was '{written}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Registers <see cref="EnumSettingNames{TOptions}"/> for an options section.</summary>
internal static class EnumSettingNamesRegistration
{
    public static OptionsBuilder<TOptions> ValidateEnumNames<TOptions>(this OptionsBuilder<TOptions> builder, string section)
        where TOptions : class
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(provider => new EnumSettingNames<TOptions>(provider.GetRequiredService<IConfiguration>(), section));
        return builder;
    }
}
