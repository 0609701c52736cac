using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Checks one options section as <c>c360 run</c> checks it: every text taken by its setting's type, every key one of
/// its settings, every value within its annotations. The processor's host checks its sections this way at start; the
/// tools that take the processor's <c>C360__</c> settings (a rule test, the offer evaluation, the schema commands) read
/// theirs through <see cref="Read{TOptions}"/>.
/// </summary>
internal static class SettingsSection
{
    /// <summary>
    /// Throws <see cref="OptionsValidationException"/> listing the settings whose text their type does not take. Run
    /// before the binder, which would throw at the first of them; the host's start collects this exception with every
    /// other section's.
    /// </summary>
    public static void ThrowIfUnreadable(IConfiguration configuration, string section, Type optionsType)
    {
        if (SettingTexts.Unreadable(configuration, section, optionsType) is { Count: > 0 } failures)
        {
            throw new OptionsValidationException(section, optionsType, failures);
        }
    }

    /// <summary>What the options' annotations (and <see cref="IValidatableObject"/>) say is wrong, each message as written: it names its key.</summary>
    public static List<string> AnnotationProblems(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? $"{string.Join(", ", r.MemberNames)} is invalid")];
    }

    /// <summary>
    /// The section bound onto <paramref name="options"/> (its defaults, or what the caller set first), then
    /// <paramref name="adjust"/> (a command-line option over the environment), then checked. Throws
    /// <see cref="OptionsValidationException"/> with every problem found.
    /// </summary>
    public static TOptions Read<TOptions>(IConfiguration configuration, string section, TOptions options, Action<TOptions>? adjust = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ThrowIfUnreadable(configuration, section, typeof(TOptions));
        configuration.GetSection(section).Bind(options);
        adjust?.Invoke(options);
        var unknown = new KnownSettingKeys<TOptions>(configuration, section, ProcessorHost.OptionSections).Validate(null, options);
        var failures = (unknown.Failed ? unknown.Failures : []).Concat(AnnotationProblems(options)).ToList();
        return failures.Count == 0 ? options : throw new OptionsValidationException(section, typeof(TOptions), failures);
    }

    /// <summary>The processor's <c>C360__</c> environment variables, as the tools that share its settings read them.</summary>
    public static IConfiguration ProcessorEnvironment() => new ConfigurationBuilder().AddEnvironmentVariables(ProcessorHost.EnvironmentPrefix).Build();

    /// <summary>How a command says its settings are wrong: one line per problem, under a heading.</summary>
    public static string Describe(IEnumerable<string> failures) =>
        string.Join(Environment.NewLine, ["Invalid configuration:", .. failures.Select(failure => $"  - {failure}")]);
}

/// <summary>Validates options by their annotations, reporting each message alone (the framework's validator wraps each in its own sentence).</summary>
internal sealed class SettingAnnotations<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        SettingsSection.AnnotationProblems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
