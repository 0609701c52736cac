using Customer360.Streaming.Domain.Rules;

namespace Customer360.Streaming.Domain.Tests.Rules;

public sealed class RuleCompilerTests
{
    /// <summary>A scope of named values; a missing name is an unknown value.</summary>
    internal sealed record Scope(Dictionary<string, object?> Values);

    internal static readonly Dictionary<string, RuleVariable<Scope>> Variables = new(StringComparer.Ordinal)
    {
        ["cart.value"] = Var("cart.value", RuleType.Number),
        ["cart.updatedAgo"] = Var("cart.updatedAgo", RuleType.Duration),
        ["consent.push"] = Var("consent.push", RuleType.Bool),
        ["consent.email"] = Var("consent.email", RuleType.Bool),
        ["tier"] = Var("tier", RuleType.Text),
        ["zone"] = Var("zone", RuleType.Text),
        ["categories"] = Var("categories", RuleType.TextList),
        ["distance"] = Var("distance", RuleType.Number),
    };

    private static readonly RuleCompiler<Scope> Compiler = new(Variables);

    [Theory]
    [InlineData("cart.value > 0 and cart.updatedAgo < 7d and consent.push", true)]
    [InlineData("cart.value > 100", false)]
    [InlineData("tier in ['GOLD', 'PLATINUM'] and not consent.email", true)]
    [InlineData("'toys' in categories or distance <= 300", true)]
    [InlineData("(tier == 'SILVER' or tier == 'GOLD') and cart.updatedAgo >= 2h", true)]
    [InlineData("cart.updatedAgo > 1500ms and cart.updatedAgo < 2.5d", true)]
    [InlineData("not (zone == 'electronics')", false)]
    [InlineData("cart.updatedAgo within 3h", true)]
    [InlineData("cart.updatedAgo within 179m", false)]
    public void Conditions_evaluate_as_written(string condition, bool expected)
    {
        var scope = new Scope(new()
        {
            ["cart.value"] = 49.9,
            ["cart.updatedAgo"] = 3 * 3_600_000d,
            ["consent.push"] = true,
            ["consent.email"] = false,
            ["tier"] = "GOLD",
            ["zone"] = "electronics",
            ["categories"] = new[] { "toys", "home" },
            ["distance"] = 1_200d,
        });

        Assert.Equal(expected, Compiler.Compile(condition).Evaluate(scope));
    }

    [Theory]
    [InlineData("cart.value > '10'", 12, "cannot compare a number with text using '>'")]
    [InlineData("cart.value > 0 and tier", 20, "'and' needs true or false, but tier is text")]
    [InlineData("cart.updatedAgo < 7", 17, "cannot compare a duration with a number using '<'")]
    [InlineData("tier < 'B'", 6, "'<' compares numbers or durations, not text")]
    [InlineData("cart.value", 1, "a condition must be true or false, but this is a number")]
    [InlineData("cart.vlaue > 0", 1, "unknown variable 'cart.vlaue' (known: cart.updatedAgo, cart.value)")]
    [InlineData("cart.updatedAgo < 7w", 20, "unknown duration unit 'w'")]
    [InlineData("cart.value > 0 and", 19, "the condition ended where a value was expected")]
    [InlineData("(cart.value > 0", 16, "expected ')', but the condition ended")]
    [InlineData("zone in 'entrance'", 6, "'in' needs text on the left and a list of text on the right")]
    [InlineData("tier == 'GOLD", 9, "text is not closed")]
    [InlineData("cart.value > 0 # 1", 16, "unexpected character '#'")]
    [InlineData("cart.value within 5m", 12, "'within' needs durations on both sides")]
    public void Errors_name_the_problem_and_its_column(string condition, int column, string message)
    {
        var error = Assert.Throws<RuleSyntaxException>(() => Compiler.Compile(condition));

        Assert.Equal(column, error.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The parser and the evaluation recurse once per level: a rule file with a condition 100,000 parentheses deep
    /// overflowed the stack, which ends the process (<c>rules validate</c> with exit 134, the processor on a reload).
    /// </summary>
    [Theory]
    [InlineData(100_000, 1, "the condition is longer than 4000 characters (200014)")]
    [InlineData(33, 33, "nested deeper than 32 levels (parentheses and 'not')")]
    public void A_condition_nested_too_deep_is_refused_naming_where_instead_of_overflowing_the_stack(int depth, int column, string message)
    {
        var condition = new string('(', depth) + "cart.value > 0" + new string(')', depth);

        var error = Assert.Throws<RuleSyntaxException>(() => Compiler.Compile(condition));

        Assert.Equal(column, error.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nots_count_as_nesting_and_32_levels_still_compile()
    {
        var error = Assert.Throws<RuleSyntaxException>(() => Compiler.Compile(string.Concat(Enumerable.Repeat("not ", 33)) + "consent.push"));
        Assert.Equal(129, error.Position);
        Assert.Contains("nested deeper than 32 levels", error.Message, StringComparison.Ordinal);

        var scope = new Scope(new() { ["consent.push"] = true, ["cart.value"] = 5d });
        Assert.True(Compiler.Compile(string.Concat(Enumerable.Repeat("not ", 32)) + "consent.push").Evaluate(scope));
        Assert.True(Compiler.Compile("not " + new string('(', 31) + "cart.value > 9" + new string(')', 31)).Evaluate(scope));
    }

    [Fact]
    public void Unknown_values_never_fire_a_condition_not_even_through_not()
    {
        var empty = new Scope([]);

        Assert.False(Compiler.Compile("cart.value > 0").Evaluate(empty));
        Assert.False(Compiler.Compile("not (cart.value > 0)").Evaluate(empty));
        Assert.False(Compiler.Compile("consent.push").Evaluate(empty));
        // An unknown side of 'or' does not matter when the other side is true.
        Assert.True(Compiler.Compile("cart.value > 0 or true").Evaluate(empty));
    }

    [Theory]
    [InlineData(450d, "450ms")]
    [InlineData(178_000d, "2m 58s")]
    [InlineData(3_600_000d, "1h")]
    [InlineData(90_061_000d, "1d 1h")]
    [InlineData(86_400_000d + 61_000d, "1d")]
    [InlineData(-5_000d, "-5s")]
    public void Durations_in_explanations_read_as_people_write_them(double milliseconds, string expected) =>
        Assert.Equal(expected, Durations.Format(milliseconds));

    [Fact]
    public void Within_explains_with_the_word_the_author_wrote()
    {
        var (result, trace) = Compiler.Compile("cart.updatedAgo within 2m").Explain(new Scope(new() { ["cart.updatedAgo"] = 120_000d }));

        Assert.True(result);
        Assert.Equal([new ConditionTrace("cart.updatedAgo within 2m", "2m", true)], trace);
    }

    [Fact]
    public void An_explanation_lists_every_condition_with_the_value_it_saw()
    {
        var scope = new Scope(new() { ["cart.value"] = 80d, ["cart.updatedAgo"] = 90_000d, ["consent.push"] = false });

        var (result, trace) = Compiler.Compile("cart.value > 50 and cart.updatedAgo < 1m and consent.push").Explain(scope);

        Assert.False(result);
        Assert.Equal(
            [
                new ConditionTrace("cart.value > 50", "80", true),
                new ConditionTrace("cart.updatedAgo < 1m", "1m 30s", false),
                new ConditionTrace("consent.push", "false", false),
            ],
            trace);
    }

    private static RuleVariable<Scope> Var(string name, RuleType type) =>
        new(type, s => RuleValue.From(s.Values.GetValueOrDefault(name)), name);
}
