using System.Globalization;

namespace Customer360.Streaming.Domain.Rules;

/// <summary>A value the rule language can read from a scope (an event and a context, say); null means unknown.</summary>
/// <param name="Read">Returns a bool, a number (durations in milliseconds), text or a list of text, or unknown: by value, never boxed.</param>
public sealed record RuleVariable<TScope>(RuleType Type, Func<TScope, RuleValue> Read, string Description)
{
    /// <summary>
    /// For text (or a list of text) drawn from a closed catalog, such as segment names: the names that exist, and what
    /// they are called. A condition naming another one is a load error, not a rule that silently never fires.
    /// </summary>
    public IReadOnlySet<string>? KnownValues { get; init; }

    public string ValueName { get; init; } = "value";
}

/// <summary>One comparison a condition made, with the value it saw: the explanation of a decision.</summary>
/// <param name="Result">True, false, or null when a value was unknown.</param>
public sealed record ConditionTrace(string Condition, string Actual, bool? Result);

/// <summary>A condition compiled once; evaluation allocates nothing unless an explanation is asked for.</summary>
public sealed class CompiledCondition<TScope>
{
    private readonly Node<TScope> _root;

    internal CompiledCondition(string source, string canonical, Node<TScope> root)
    {
        Source = source;
        Canonical = canonical;
        _root = root;
    }

    public string Source { get; }

    /// <summary>The condition without its layout (<see cref="RuleLexer.Canonical"/>): equal for conditions that differ only in spacing.</summary>
    public string Canonical { get; }

    /// <summary>True only when the condition is true; an unknown value makes it false (fail closed).</summary>
    public bool Evaluate(TScope scope) => _root.Evaluate(scope, null).AsBool == true;

    /// <summary>Evaluates and records every comparison with the value it saw.</summary>
    public (bool Result, IReadOnlyList<ConditionTrace> Trace) Explain(TScope scope)
    {
        var trace = new List<ConditionTrace>();
        return (_root.Evaluate(scope, trace).AsBool == true, trace);
    }

    /// <summary>
    /// The explanation of a condition that holds, or null when it does not. Most evaluations do not hold, and their
    /// traces (a string per comparison) were a sixth of a drain's allocations; evaluation is pure, so the trace is
    /// made by evaluating again, only when it is kept.
    /// </summary>
    public IReadOnlyList<ConditionTrace>? ExplainIfTrue(TScope scope) => Evaluate(scope) ? Explain(scope).Trace : null;
}

/// <summary>
/// Compiles conditions of the rule language against a table of variables, checking types before anything runs:
/// <code>context.cart.value > 0 and context.cart.updatedAgo &lt; 7d and relationship.consent.push</code>
/// Operators: <c>or</c>, <c>and</c>, <c>not</c>, comparisons (<c>== != &lt; &lt;= &gt; &gt;=</c>) and <c>in</c>
/// (text in a list). Logic is three-valued: a comparison with an unknown value is unknown, and an unknown condition
/// does not fire.
/// </summary>
public sealed class RuleCompiler<TScope>(IReadOnlyDictionary<string, RuleVariable<TScope>> variables)
{
    public IReadOnlyDictionary<string, RuleVariable<TScope>> Variables { get; } = variables;

    /// <summary>Longer than any condition people write (the shipped ones are at most a few hundred characters).</summary>
    public const int MaxConditionLength = 4_000;

    /// <summary>
    /// Parentheses and <c>not</c>s within one another. Parsing and evaluating recurse once per level, and a stack
    /// overflow ends the process instead of failing the rule.
    /// </summary>
    public const int MaxNesting = 32;

    public CompiledCondition<TScope> Compile(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > MaxConditionLength)
        {
            throw new RuleSyntaxException($"the condition is longer than {MaxConditionLength} characters ({source.Length})", 1);
        }

        var tokens = RuleLexer.Tokenize(source);
        var parser = new Parser(tokens, this);
        var root = parser.ParseExpression();
        parser.Expect(TokenKind.End, "end of condition");
        if (root.Type != RuleType.Bool)
        {
            throw new RuleSyntaxException($"a condition must be true or false, but this is {Name(root.Type)}", root.Position);
        }

        return new CompiledCondition<TScope>(source, RuleLexer.Canonical(tokens), root);
    }

    internal static string Name(RuleType type) => type switch
    {
        RuleType.Bool => "a boolean",
        RuleType.Number => "a number",
        RuleType.Duration => "a duration",
        RuleType.Text => "text",
        RuleType.TextList => "a list of text",
        _ => type.ToString(),
    };

    private sealed class Parser(List<Token> tokens, RuleCompiler<TScope> compiler)
    {
        private int _index;
        private int _nesting;

        private Token Current => tokens[_index];

        public Node<TScope> ParseExpression() => ParseOr();

        public Token Expect(TokenKind kind, string what)
        {
            if (Current.Kind != kind)
            {
                throw new RuleSyntaxException(Current.Kind == TokenKind.End ? $"expected {what}, but the condition ended" : $"expected {what}, found '{Current.Text}'", Current.Position);
            }

            return tokens[_index++];
        }

        private Node<TScope> ParseOr()
        {
            var left = ParseAnd();
            while (Current.Kind == TokenKind.Or)
            {
                var op = tokens[_index++];
                left = new Logical<TScope>(RequireBool(left, "or"), RequireBool(ParseAnd(), "or"), isAnd: false, op.Position);
            }

            return left;
        }

        private Node<TScope> ParseAnd()
        {
            var left = ParseNot();
            while (Current.Kind == TokenKind.And)
            {
                var op = tokens[_index++];
                left = new Logical<TScope>(RequireBool(left, "and"), RequireBool(ParseNot(), "and"), isAnd: true, op.Position);
            }

            return left;
        }

        private Node<TScope> ParseNot()
        {
            if (Current.Kind != TokenKind.Not)
            {
                return ParseComparison();
            }

            var op = tokens[_index++];
            Nest(op);
            var operand = ParseNot();
            _nesting--;
            return new Negation<TScope>(RequireBool(operand, "not"), op.Position);
        }

        private void Nest(Token opening)
        {
            if (++_nesting > MaxNesting)
            {
                throw new RuleSyntaxException($"nested deeper than {MaxNesting} levels (parentheses and 'not')", opening.Position);
            }
        }

        private Node<TScope> ParseComparison()
        {
            var left = ParsePrimary();
            if (Current.Kind is not (TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual or TokenKind.In or TokenKind.Within))
            {
                return left;
            }

            var op = tokens[_index++];
            var right = ParsePrimary();
            if (op.Kind == TokenKind.Within)
            {
                // Sugar for '<=' on durations; the explanation keeps the word the rule author wrote.
                return left.Type == RuleType.Duration && right.Type == RuleType.Duration
                    ? new Comparison<TScope>(left, op with { Kind = TokenKind.LessOrEqual }, right)
                    : throw new RuleSyntaxException($"'within' needs durations on both sides (e.g. context.cart.updatedAgo within 7d), not {Name(left.Type)} and {Name(right.Type)}", op.Position);
            }

            CheckKnownValue(left, right);
            CheckKnownValue(right, left);
            if (op.Kind == TokenKind.In)
            {
                return left.Type == RuleType.Text && right.Type == RuleType.TextList
                    ? new Comparison<TScope>(left, op, right)
                    : throw new RuleSyntaxException($"'in' needs text on the left and a list of text on the right, not {Name(left.Type)} and {Name(right.Type)}", op.Position);
            }

            if (left.Type != right.Type)
            {
                throw new RuleSyntaxException($"cannot compare {Name(left.Type)} with {Name(right.Type)} using '{op.Text}'", op.Position);
            }

            var ordered = op.Kind is TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual;
            if (ordered && left.Type is not (RuleType.Number or RuleType.Duration))
            {
                throw new RuleSyntaxException($"'{op.Text}' compares numbers or durations, not {Name(left.Type)}", op.Position);
            }

            if (left.Type == RuleType.TextList)
            {
                throw new RuleSyntaxException("lists cannot be compared; use 'in'", op.Position);
            }

            return new Comparison<TScope>(left, op, right);
        }

        private Node<TScope> ParsePrimary()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    _index++;
                    return new Constant<TScope>(RuleType.Number, token.Number, token.Text, token.Position);
                case TokenKind.Duration:
                    _index++;
                    return new Constant<TScope>(RuleType.Duration, token.Number, token.Text, token.Position);
                case TokenKind.Text:
                    _index++;
                    return new Constant<TScope>(RuleType.Text, token.Text, $"'{token.Text}'", token.Position);
                case TokenKind.True or TokenKind.False:
                    _index++;
                    return new Constant<TScope>(RuleType.Bool, token.Kind == TokenKind.True, token.Text, token.Position);
                case TokenKind.Identifier:
                    _index++;
                    return compiler.Variables.TryGetValue(token.Text, out var variable)
                        ? new Variable<TScope>(variable, token.Text, token.Position)
                        : throw new RuleSyntaxException($"unknown variable '{token.Text}'{Suggestion(token.Text)}", token.Position);
                case TokenKind.OpenParen:
                    _index++;
                    Nest(token);
                    var inner = ParseExpression();
                    Expect(TokenKind.CloseParen, "')'");
                    _nesting--;
                    return inner;
                case TokenKind.OpenBracket:
                    _index++;
                    var items = new List<string>();
                    while (Current.Kind != TokenKind.CloseBracket)
                    {
                        items.Add(Expect(TokenKind.Text, "text in quotes").Text);
                        if (Current.Kind != TokenKind.CloseBracket)
                        {
                            Expect(TokenKind.Comma, "',' or ']'");
                        }
                    }

                    _index++;
                    return new Constant<TScope>(RuleType.TextList, items, "[" + string.Join(", ", items.Select(i => $"'{i}'")) + "]", token.Position);
                default:
                    throw new RuleSyntaxException(token.Kind == TokenKind.End ? "the condition ended where a value was expected" : $"expected a value, found '{token.Text}'", token.Position);
            }
        }

        /// <summary>A constant compared with a variable of a closed catalog must name a member of it.</summary>
        private static void CheckKnownValue(Node<TScope> constant, Node<TScope> variable)
        {
            if (variable is not Variable<TScope> { Definition.KnownValues: { } known } named || constant is not Constant<TScope> { Type: RuleType.Text or RuleType.TextList } value)
            {
                return;
            }

            var texts = value.Value as IReadOnlyList<string> ?? [(string)value.Value];
            foreach (var text in texts.Where(t => !known.Contains(t)))
            {
                var names = known.Count == 0 ? "none are declared" : "known: " + string.Join(", ", known.Order(StringComparer.Ordinal));
                throw new RuleSyntaxException($"unknown {named.Definition.ValueName} '{text}' ({names})", constant.Position);
            }
        }

        private static Node<TScope> RequireBool(Node<TScope> node, string op) =>
            node.Type == RuleType.Bool ? node : throw new RuleSyntaxException($"'{op}' needs true or false, but {node.Text} is {Name(node.Type)}", node.Position);

        private string Suggestion(string name)
        {
            var close = compiler.Variables.Keys.Where(k => k.StartsWith(name.Split('.')[0], StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(5).ToList();
            return close.Count == 0 ? string.Empty : $" (known: {string.Join(", ", close)})";
        }
    }
}

internal abstract class Node<TScope>(RuleType type, string text, int position)
{
    public RuleType Type { get; } = type;

    public string Text { get; } = text;

    public int Position { get; } = position;

    public abstract RuleValue Evaluate(TScope scope, List<ConditionTrace>? trace);
}

internal sealed class Constant<TScope>(RuleType type, object value, string text, int position) : Node<TScope>(type, text, position)
{
    private readonly RuleValue _value = RuleValue.From(value);

    /// <summary>As written: what the compiler checks against a variable's known values.</summary>
    public object Value => value;

    public override RuleValue Evaluate(TScope scope, List<ConditionTrace>? trace) => _value;
}

internal sealed class Variable<TScope>(RuleVariable<TScope> variable, string name, int position) : Node<TScope>(variable.Type, name, position)
{
    public RuleVariable<TScope> Definition => variable;

    public override RuleValue Evaluate(TScope scope, List<ConditionTrace>? trace)
    {
        var value = variable.Read(scope);
        // A boolean variable used as a condition of its own is explained like a comparison.
        if (Type == RuleType.Bool)
        {
            trace?.Add(new ConditionTrace(Text, value.ToString(), value.AsBool));
        }

        return value;
    }
}

internal sealed class Negation<TScope>(Node<TScope> operand, int position) : Node<TScope>(RuleType.Bool, "not " + operand.Text, position)
{
    public override RuleValue Evaluate(TScope scope, List<ConditionTrace>? trace) => operand.Evaluate(scope, trace).AsBool is { } b ? !b : RuleValue.Unknown;
}

/// <summary>Three-valued and/or; both sides are evaluated so an explanation shows every condition.</summary>
internal sealed class Logical<TScope>(Node<TScope> left, Node<TScope> right, bool isAnd, int position)
    : Node<TScope>(RuleType.Bool, $"{left.Text} {(isAnd ? "and" : "or")} {right.Text}", position)
{
    public override RuleValue Evaluate(TScope scope, List<ConditionTrace>? trace)
    {
        var a = left.Evaluate(scope, trace).AsBool;
        if (trace is null && a == !isAnd)
        {
            return a;
        }

        var b = right.Evaluate(scope, trace).AsBool;
        bool? result = isAnd
            ? (a == false || b == false ? false : a is null || b is null ? null : true)
            : (a == true || b == true ? true : a is null || b is null ? null : false);
        return result;
    }
}

internal sealed class Comparison<TScope>(Node<TScope> left, Token op, Node<TScope> right)
    : Node<TScope>(RuleType.Bool, $"{left.Text} {op.Text} {right.Text}", op.Position)
{
    public override RuleValue Evaluate(TScope scope, List<ConditionTrace>? trace)
    {
        var a = left.Evaluate(scope, null);
        var b = right.Evaluate(scope, null);
        var result = Compare(a, b);
        if (trace is not null)
        {
            var actual = left is Constant<TScope> ? Shown(b) : right is Constant<TScope> ? Shown(a) : $"{Shown(a)} vs {Shown(b)}";
            trace.Add(new ConditionTrace(Text, actual, result));
        }

        return result;
    }

    /// <summary>Durations read as people write them (<c>2m 58s</c>), not as milliseconds.</summary>
    private string Shown(RuleValue value) => left.Type == RuleType.Duration && value.Kind == RuleValueKind.Number ? Durations.Format(value.Number) : value.ToString();

    private bool? Compare(RuleValue a, RuleValue b)
    {
        if (a.IsUnknown || b.IsUnknown)
        {
            return null;
        }

        return op.Kind switch
        {
            TokenKind.In => b.Holds(a.Text),
            TokenKind.Equal => a == b,
            TokenKind.NotEqual => a != b,
            TokenKind.Less => a.Number < b.Number,
            TokenKind.LessOrEqual => a.Number <= b.Number,
            TokenKind.Greater => a.Number > b.Number,
            TokenKind.GreaterOrEqual => a.Number >= b.Number,
            _ => throw new InvalidOperationException($"Operator {op.Kind} is not a comparison."),
        };
    }
}
