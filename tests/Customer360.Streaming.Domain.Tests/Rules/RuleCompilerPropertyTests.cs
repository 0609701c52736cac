using System.Globalization;
using Customer360.Streaming.Domain.Rules;
using Scope = Customer360.Streaming.Domain.Tests.Rules.RuleCompilerTests.Scope;

namespace Customer360.Streaming.Domain.Tests.Rules;

/// <summary>
/// Random well-typed conditions, rendered to text, compiled and evaluated on random scopes (with unknown values),
/// must agree with a reference evaluator written here independently over the same syntax tree.
/// </summary>
public sealed class RuleCompilerPropertyTests
{
    private static readonly RuleCompiler<Scope> Compiler = new(RuleCompilerTests.Variables);
    private static readonly string[] Texts = ["GOLD", "SILVER", "toys", "electronics"];

    [Fact]
    public void Compiled_conditions_agree_with_the_reference_evaluator()
    {
        var random = new Random(20261123);
        for (var i = 0; i < 2_000; i++)
        {
            var expression = BoolExpression(random, depth: 4);
            var scope = RandomScope(random);
            var text = expression.Render();

            var expected = expression.Evaluate(scope) is true;
            var actual = Compiler.Compile(text).Evaluate(scope);

            Assert.True(expected == actual, $"case {i}: {text} gave {actual}, the reference says {expected}");
            Assert.Equal(expected, Compiler.Compile(text).Explain(scope).Result);
        }
    }

    private abstract record Expr
    {
        public abstract string Render();

        public abstract object? Evaluate(Scope scope);
    }

    private sealed record Literal(object Value, string Text) : Expr
    {
        public override string Render() => Text;

        public override object? Evaluate(Scope scope) => Value;
    }

    private sealed record Name(string Variable) : Expr
    {
        public override string Render() => Variable;

        public override object? Evaluate(Scope scope) => scope.Values.GetValueOrDefault(Variable);
    }

    private sealed record Compare(Expr Left, string Op, Expr Right) : Expr
    {
        public override string Render() => $"{Left.Render()} {Op} {Right.Render()}";

        public override object? Evaluate(Scope scope)
        {
            var a = Left.Evaluate(scope);
            var b = Right.Evaluate(scope);
            if (a is null || b is null)
            {
                return null;
            }

            return Op switch
            {
                "in" => ((string[])b).Contains((string)a),
                "==" => a.Equals(b),
                "!=" => !a.Equals(b),
                "<" => Convert.ToDouble(a, CultureInfo.InvariantCulture) < Convert.ToDouble(b, CultureInfo.InvariantCulture),
                "<=" => Convert.ToDouble(a, CultureInfo.InvariantCulture) <= Convert.ToDouble(b, CultureInfo.InvariantCulture),
                ">" => Convert.ToDouble(a, CultureInfo.InvariantCulture) > Convert.ToDouble(b, CultureInfo.InvariantCulture),
                _ => Convert.ToDouble(a, CultureInfo.InvariantCulture) >= Convert.ToDouble(b, CultureInfo.InvariantCulture),
            };
        }
    }

    private sealed record Junction(Expr Left, bool IsAnd, Expr Right) : Expr
    {
        public override string Render() => $"({Left.Render()}) {(IsAnd ? "and" : "or")} ({Right.Render()})";

        public override object? Evaluate(Scope scope)
        {
            var a = (bool?)Left.Evaluate(scope);
            var b = (bool?)Right.Evaluate(scope);
            if (IsAnd)
            {
                return a == false || b == false ? false : (a == true && b == true ? true : null);
            }

            return a == true || b == true ? true : (a == false && b == false ? false : null);
        }
    }

    private sealed record Negate(Expr Operand) : Expr
    {
        public override string Render() => $"not ({Operand.Render()})";

        public override object? Evaluate(Scope scope) => Operand.Evaluate(scope) is bool b ? !b : null;
    }

    private static Expr BoolExpression(Random random, int depth)
    {
        var choice = depth <= 0 ? random.Next(3) : random.Next(6);
        return choice switch
        {
            0 => random.Next(2) == 0 ? new Name(random.Next(2) == 0 ? "consent.push" : "consent.email") : BoolLiteral(random.Next(2) == 0),
            1 => NumericComparison(random),
            2 => TextComparison(random),
            3 => new Junction(BoolExpression(random, depth - 1), true, BoolExpression(random, depth - 1)),
            4 => new Junction(BoolExpression(random, depth - 1), false, BoolExpression(random, depth - 1)),
            _ => new Negate(BoolExpression(random, depth - 1)),
        };
    }

    private static Literal BoolLiteral(bool value) => new(value, value ? "true" : "false");

    private static Compare NumericComparison(Random random)
    {
        string[] ops = ["==", "!=", "<", "<=", ">", ">="];
        var op = ops[random.Next(ops.Length)];
        if (random.Next(2) == 0)
        {
            var number = random.Next(0, 200);
            Expr left = new Name(random.Next(2) == 0 ? "cart.value" : "distance");
            Expr right = new Literal((double)number, number.ToString(CultureInfo.InvariantCulture));
            return random.Next(2) == 0 ? new Compare(left, op, right) : new Compare(right, op, left);
        }

        var minutes = random.Next(0, 120);
        return new Compare(new Name("cart.updatedAgo"), op, new Literal(minutes * 60_000d, $"{minutes}m"));
    }

    private static Compare TextComparison(Random random)
    {
        var variable = new Name(random.Next(2) == 0 ? "tier" : "zone");
        var literal = Texts[random.Next(Texts.Length)];
        var other = Texts[random.Next(Texts.Length)];
        return random.Next(3) switch
        {
            0 => new Compare(variable, random.Next(2) == 0 ? "==" : "!=", new Literal(literal, $"'{literal}'")),
            1 => new Compare(variable, "in", new Literal(new[] { literal, other }, $"['{literal}', '{other}']")),
            _ => new Compare(new Literal(literal, $"'{literal}'"), "in", new Name("categories")),
        };
    }

    private static Scope RandomScope(Random random)
    {
        object? Maybe(object value) => random.Next(5) == 0 ? null : value;
        return new Scope(new()
        {
            ["cart.value"] = Maybe((double)random.Next(0, 200)),
            ["distance"] = Maybe((double)random.Next(0, 200)),
            ["cart.updatedAgo"] = Maybe(random.Next(0, 120) * 60_000d),
            ["consent.push"] = Maybe(random.Next(2) == 0),
            ["consent.email"] = Maybe(random.Next(2) == 0),
            ["tier"] = Maybe(Texts[random.Next(Texts.Length)]),
            ["zone"] = Maybe(Texts[random.Next(Texts.Length)]),
            ["categories"] = Maybe(Texts.Where(_ => random.Next(2) == 0).ToArray()),
        });
    }
}
