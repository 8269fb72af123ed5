using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Portal.Model;
using Portal.PromQL.Ast;
using MatchType = Portal.Model.MatchType;
using ValueType = Portal.PromQL.Ast.ValueType;

namespace Portal.PromQL.Parsing;

/// <summary>
/// Hand-written recursive-descent parser for PromQL with Prometheus's precedence, modifiers, error messages
/// and parse-time type checks. One instance parses one input; not thread-safe (create one per call).
/// </summary>
internal sealed class Parser
{
    /// <summary>Maximum nesting of the syntax tree (parentheses, calls, operators, ...).</summary>
    public const int MaxDepth = 1000;

    private readonly string _input;
    private readonly List<Token> _tokens;
    private readonly List<ParseError> _errors = new();
    private int _i;
    private int _prevEnd;
    private int _depth;

    private sealed class AbortException : Exception
    {
    }

    private Parser(string input)
    {
        _input = input;
        _tokens = Lexer.Tokenize(input);
    }

    public static Expr ParseExpression(string input)
    {
        var p = new Parser(input);
        Expr? result = null;
        try
        {
            result = p.ParseTop();
        }
        catch (AbortException)
        {
        }
        catch (InsufficientExecutionStackException)
        {
            p._errors.Add(new ParseError(new PositionRange(0, input.Length), $"query is nested too deeply (more than the stack allows)"));
        }
        if (p._errors.Count == 0 && result is not null)
        {
            int depth = TreeDepth(result);
            if (depth > MaxDepth)
            {
                p._errors.Add(new ParseError(result.Pos, $"query is nested too deeply: {depth} levels, at most {MaxDepth} allowed"));
            }
            else
            {
                try
                {
                    p.Check(result);
                }
                catch (InsufficientExecutionStackException)
                {
                    p._errors.Add(new ParseError(new PositionRange(0, input.Length), "query is nested too deeply (more than the stack allows)"));
                }
            }
        }
        if (p._errors.Count > 0) throw new PromQLParseException(input, p._errors);
        return result!;
    }

    public static VectorSelector ParseSelector(string input)
    {
        var p = new Parser(input);
        VectorSelector? vs = null;
        try
        {
            var t = p.Cur;
            if (t.Kind is TokenKind.Identifier or TokenKind.MetricIdentifier) vs = p.ParseVectorSelector(p.Next());
            else if (t.Kind == TokenKind.LeftBrace) vs = p.ParseVectorSelector(null);
            else p.Unexpected("", "");
            if (p.Cur.Kind != TokenKind.Eof) p.Unexpected("", "");
        }
        catch (AbortException)
        {
        }
        if (p._errors.Count > 0) throw new PromQLParseException(input, p._errors);
        return vs!;
    }

    // ---- token helpers ----

    private Token Cur => _tokens[_i];

    private Token PeekAt(int k) => _tokens[Math.Min(_i + k, _tokens.Count - 1)];

    private Token Next()
    {
        var t = _tokens[_i];
        if (t.Kind is not (TokenKind.Eof or TokenKind.Error))
        {
            _i++;
            _prevEnd = t.End;
        }
        return t;
    }

    private AbortException Fail(PositionRange pos, string message)
    {
        _errors.Add(new ParseError(pos, message));
        return new AbortException();
    }

    /// <summary>Reports the current token as unexpected (or the lexer error it carries) and aborts.</summary>
    [DoesNotReturn]
    private void Unexpected(string context, string expected)
    {
        var t = Cur;
        if (t.Kind == TokenKind.Error) throw Fail(t.Range, t.Text);
        var sb = new StringBuilder("unexpected ").Append(Keywords.Describe(t, PeekAt(1)));
        if (context.Length > 0) sb.Append(" in ").Append(context);
        if (expected.Length > 0) sb.Append(", expected ").Append(expected);
        throw Fail(t.Range, sb.ToString());
    }

    private void Expect(TokenKind kind, string context, string expected)
    {
        if (Cur.Kind != kind) Unexpected(context, expected);
        Next();
    }

    private void Enter()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (++_depth > MaxDepth) throw Fail(Cur.Range, $"query is nested too deeply: more than {MaxDepth} levels");
    }

    private void Leave() => _depth--;

    // ---- expressions ----

    private Expr ParseTop()
    {
        if (Cur.Kind == TokenKind.Eof) throw Fail(new PositionRange(0, 0), "no expression found in input");
        var e = ParseBinary(0);
        if (Cur.Kind != TokenKind.Eof) Unexpected("", "");
        return e;
    }

    private Expr ParseBinary(int minPrec)
    {
        Enter();
        var lhs = ParseUnary();
        int chain = 0;
        while (Keywords.TryBinaryOp(Cur, out var op))
        {
            int prec = op.Precedence();
            if (prec < minPrec) break;
            if (++chain + _depth > MaxDepth) throw Fail(Cur.Range, $"query is nested too deeply: more than {MaxDepth} levels");
            Next();
            var be = new BinaryExpr { Op = op, LHS = lhs };
            ParseBinModifiers(be);
            be.RHS = ParseBinary(op.IsRightAssociative() ? prec : prec + 1);
            lhs = be;
        }
        Leave();
        return lhs;
    }

    private Expr ParseUnary()
    {
        if (Cur.Kind is TokenKind.Add or TokenKind.Sub)
        {
            var opTok = Next();
            var operand = ParseBinary(BinaryOp.Pow.Precedence());
            if (operand is NumberLiteral nl)
            {
                if (opTok.Kind == TokenKind.Sub) nl.Val = -nl.Val;
                nl.PosRange = new PositionRange(opTok.Pos, nl.PosRange.End);
                return nl;
            }
            return new UnaryExpr { Op = opTok.Kind == TokenKind.Sub ? UnaryOp.Sub : UnaryOp.Add, Expr = operand, StartPos = opTok.Pos };
        }
        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePrimary()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Next();
                return new NumberLiteral { Val = ParseNumber(t), PosRange = t.Range };
            case TokenKind.Duration:
                Next();
                return new NumberLiteral { Val = ParseDurationToken(t) / 1000.0, Duration = true, PosRange = t.Range };
            case TokenKind.String:
                Next();
                return new StringLiteral { Val = Unquote(t.Text), PosRange = t.Range };
            case TokenKind.LeftParen:
            {
                Next();
                var inner = ParseBinary(0);
                if (Cur.Kind != TokenKind.RightParen) Unexpected("", "");
                var close = Next();
                return new ParenExpr { Expr = inner, PosRange = new PositionRange(t.Pos, close.End) };
            }
            case TokenKind.LeftBrace:
                return ParseVectorSelector(null);
            case TokenKind.Identifier:
            case TokenKind.MetricIdentifier:
            {
                string lower = t.Text.ToLowerInvariant();
                var next = PeekAt(1);
                if (t.Kind == TokenKind.Identifier && Operators.TryParseAggregation(lower, out var aggOp)
                    && (next.Kind == TokenKind.LeftParen || Keywords.Is(next, "by") || Keywords.Is(next, "without")))
                {
                    return ParseAggregate(aggOp);
                }
                if (t.Kind == TokenKind.Identifier && Keywords.IsReservedInExpression(lower)) Unexpected("", "");
                if (t.Kind == TokenKind.Identifier && next.Kind == TokenKind.LeftParen)
                {
                    if (lower is "fill" or "fill_left" or "fill_right") Unexpected("", "");
                    return ParseCall();
                }
                return ParseVectorSelector(Next());
            }
            default:
                Unexpected("", "");
                return null!;
        }
    }

    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            var t = Cur;
            if (t.Kind == TokenKind.LeftBracket) e = ParseRangeOrSubquery(e);
            else if (Keywords.Is(t, "offset")) ParseOffset(e);
            else if (t.Kind == TokenKind.At) ParseAt(e);
            else if (Keywords.Is(t, "anchored") || Keywords.Is(t, "smoothed")) ParseExtendedModifier(e);
            else return e;
        }
    }

    // ---- aggregations and calls ----

    private Expr ParseAggregate(AggregationOp op)
    {
        var opTok = Next();
        List<string>? grouping = null;
        bool without = false;
        if (Keywords.Is(Cur, "by") || Keywords.Is(Cur, "without"))
        {
            without = Keywords.Is(Next(), "without");
            grouping = ParseGroupingLabels();
        }
        if (Cur.Kind != TokenKind.LeftParen) Unexpected("aggregation", "");
        var args = ParseCallArgs();
        if (grouping is null && (Keywords.Is(Cur, "by") || Keywords.Is(Cur, "without")))
        {
            without = Keywords.Is(Next(), "without");
            grouping = ParseGroupingLabels();
        }
        var agg = new AggregateExpr
        {
            Op = op,
            Grouping = grouping ?? new List<string>(),
            Without = without,
            PosRange = new PositionRange(opTok.Pos, _prevEnd),
        };
        if (args.Count == 0) throw Fail(agg.PosRange, "no arguments for aggregate expression provided");
        int desired = op.HasParameter() ? 2 : 1;
        if (args.Count != desired)
            throw Fail(agg.PosRange, $"wrong number of arguments for aggregate expression provided, expected {desired}, got {args.Count}");
        if (desired == 2) agg.Param = args[0];
        agg.Expr = args[desired - 1];
        return agg;
    }

    private Expr ParseCall()
    {
        var nameTok = Next();
        if (!Functions.TryGet(nameTok.Text, out var fn))
            throw Fail(nameTok.Range, $"unknown function with name {Lexer.GoQuote(nameTok.Text)}");
        var args = ParseCallArgs();
        return new Call { Func = fn, Args = args, PosRange = new PositionRange(nameTok.Pos, _prevEnd) };
    }

    /// <summary>Parses <c>( expr, expr, ... )</c>; the current token is the left parenthesis.</summary>
    private List<Expr> ParseCallArgs()
    {
        Next();
        var args = new List<Expr>();
        if (Cur.Kind == TokenKind.RightParen)
        {
            Next();
            return args;
        }
        while (true)
        {
            args.Add(ParseBinary(0));
            if (Cur.Kind == TokenKind.Comma)
            {
                var comma = Next();
                if (Cur.Kind == TokenKind.RightParen) throw Fail(comma.Range, "trailing commas not allowed in function call args");
                continue;
            }
            if (Cur.Kind == TokenKind.RightParen)
            {
                Next();
                return args;
            }
            Unexpected("", "");
        }
    }

    /// <summary>Parses <c>(label, "quoted label", ...)</c> of by/without/on/ignoring/group_x.</summary>
    private List<string> ParseGroupingLabels()
    {
        if (Cur.Kind != TokenKind.LeftParen) Unexpected("grouping opts", "\"(\"");
        Next();
        var labels = new List<string>();
        if (Cur.Kind == TokenKind.RightParen)
        {
            Next();
            return labels;
        }
        while (true)
        {
            var t = Cur;
            if (t.Kind == TokenKind.Identifier || (t.Kind == TokenKind.Number && Keywords.IsNumberWord(t.Text)))
            {
                labels.Add(t.Text);
                Next();
            }
            else if (t.Kind == TokenKind.String)
            {
                labels.Add(Unquote(t.Text));
                Next();
            }
            else
            {
                Unexpected("grouping opts", "label");
            }
            if (Cur.Kind == TokenKind.Comma)
            {
                Next();
                if (Cur.Kind == TokenKind.RightParen)
                {
                    Next();
                    return labels;
                }
                continue;
            }
            if (Cur.Kind == TokenKind.RightParen)
            {
                Next();
                return labels;
            }
            Unexpected("grouping opts", "\",\" or \")\"");
        }
    }

    private void ParseBinModifiers(BinaryExpr be)
    {
        var vm = new VectorMatching { Card = VectorMatchCardinality.OneToOne };
        be.VectorMatching = vm;
        if (Keywords.Is(Cur, "bool"))
        {
            Next();
            be.ReturnBool = true;
        }
        if (Keywords.Is(Cur, "on") || Keywords.Is(Cur, "ignoring"))
        {
            vm.On = Keywords.Is(Next(), "on");
            vm.MatchingLabels = ParseGroupingLabels();
            if (Keywords.Is(Cur, "group_left") || Keywords.Is(Cur, "group_right"))
            {
                vm.Card = Keywords.Is(Next(), "group_left") ? VectorMatchCardinality.ManyToOne : VectorMatchCardinality.OneToMany;
                if (Cur.Kind == TokenKind.LeftParen) vm.Include = ParseGroupingLabels();
            }
        }
        bool sawFill = false, sawLeft = false, sawRight = false;
        while (PeekAt(1).Kind == TokenKind.LeftParen
               && (Keywords.Is(Cur, "fill") || Keywords.Is(Cur, "fill_left") || Keywords.Is(Cur, "fill_right")))
        {
            string kw = Cur.Text.ToLowerInvariant();
            if (sawFill || (kw == "fill" && (sawLeft || sawRight)) || (kw == "fill_left" && sawLeft) || (kw == "fill_right" && sawRight))
                Unexpected("", "");
            Next();
            Next();
            double v = ParseSignedNumber("fill modifier");
            Expect(TokenKind.RightParen, "fill modifier", "\")\"");
            vm.Fill ??= new VectorMatchFill();
            switch (kw)
            {
                case "fill":
                    sawFill = true;
                    vm.Fill.Lhs = v;
                    vm.Fill.Rhs = v;
                    break;
                case "fill_left":
                    sawLeft = true;
                    vm.Fill.Lhs = v;
                    break;
                default:
                    sawRight = true;
                    vm.Fill.Rhs = v;
                    break;
            }
        }
    }

    private double ParseSignedNumber(string context)
    {
        bool neg = false;
        if (Cur.Kind is TokenKind.Add or TokenKind.Sub) neg = Next().Kind == TokenKind.Sub;
        var t = Cur;
        double v;
        if (t.Kind == TokenKind.Number) v = ParseNumber(t);
        else if (t.Kind == TokenKind.Duration) v = ParseDurationToken(t) / 1000.0;
        else
        {
            Unexpected(context, "number");
            return 0;
        }
        Next();
        return neg ? -v : v;
    }

    // ---- selectors ----

    private VectorSelector ParseVectorSelector(Token? nameTok)
    {
        int start = nameTok?.Pos ?? Cur.Pos;
        int end = nameTok?.End ?? Cur.Pos;
        var matchers = new List<Matcher>();
        if (Cur.Kind == TokenKind.LeftBrace)
        {
            Next();
            ParseMatchers(matchers);
            end = _prevEnd;
        }
        var vs = new VectorSelector { Name = nameTok?.Text ?? "", LabelMatchers = matchers, PosRange = new PositionRange(start, end) };
        if (vs.Name.Length > 0) matchers.Add(Matcher.Equal(Labels.MetricName, vs.Name));
        return vs;
    }

    private void ParseMatchers(List<Matcher> matchers)
    {
        while (true)
        {
            if (Cur.Kind == TokenKind.RightBrace)
            {
                Next();
                return;
            }
            var t = Cur;
            if (t.Kind == TokenKind.Identifier)
            {
                Next();
                var type = ParseMatchOp("label matching operator");
                var value = Cur;
                if (value.Kind != TokenKind.String) Unexpected("label matching", "string");
                Next();
                matchers.Add(NewMatcher(type, t.Text, Unquote(value.Text), new PositionRange(t.Pos, value.End)));
            }
            else if (t.Kind == TokenKind.String)
            {
                Next();
                string name = Unquote(t.Text);
                if (Cur.Kind is TokenKind.Assign or TokenKind.Neq or TokenKind.EqlRegex or TokenKind.NeqRegex)
                {
                    var type = ParseMatchOp("label matching operator");
                    var value = Cur;
                    if (value.Kind != TokenKind.String) Unexpected("label matching", "string");
                    Next();
                    matchers.Add(NewMatcher(type, name, Unquote(value.Text), new PositionRange(t.Pos, value.End)));
                }
                else
                {
                    matchers.Add(NewMatcher(MatchType.Equal, Labels.MetricName, name, t.Range));
                }
            }
            else
            {
                Unexpected("label matching", "identifier or \"}\"");
            }
            if (Cur.Kind == TokenKind.Comma)
            {
                Next();
                continue;
            }
            if (Cur.Kind != TokenKind.RightBrace) Unexpected("label matching", "\",\" or \"}\"");
        }
    }

    private MatchType ParseMatchOp(string expected)
    {
        MatchType type;
        switch (Cur.Kind)
        {
            case TokenKind.Assign: type = MatchType.Equal; break;
            case TokenKind.Neq: type = MatchType.NotEqual; break;
            case TokenKind.EqlRegex: type = MatchType.Regex; break;
            case TokenKind.NeqRegex: type = MatchType.NotRegex; break;
            default:
                Unexpected("label matching", expected);
                return default;
        }
        Next();
        return type;
    }

    private Matcher NewMatcher(MatchType type, string name, string value, PositionRange pos)
    {
        try
        {
            return new Matcher(type, name, value);
        }
        catch (ArgumentException e)
        {
            throw Fail(pos, e.Message);
        }
    }

    private Expr ParseRangeOrSubquery(Expr e)
    {
        var lb = Next();
        var range = ParseDurationExpr(0);
        if (Cur.Kind == TokenKind.RightBracket)
        {
            var rb = Next();
            var errRange = new PositionRange(lb.Pos, rb.End);
            if (e is not VectorSelector vs) throw Fail(errRange, "ranges only allowed for vector selectors");
            if (vs.OriginalOffset != 0 || vs.OriginalOffsetExpr is not null) throw Fail(errRange, "no offset modifiers allowed before range");
            if (vs.Timestamp is not null || vs.StartOrEnd != AtModifier.None) throw Fail(errRange, "no @ modifiers allowed before range");
            var ms = new MatrixSelector { VectorSelector = vs, EndPos = rb.End };
            (ms.Range, ms.RangeExpr) = Resolve(range, mustBePositive: true);
            return ms;
        }
        if (Cur.Kind != TokenKind.Colon) Unexpected("subquery or range", "\":\" or \"]\"");
        Next();
        var sq = new SubqueryExpr { Expr = e };
        (sq.Range, sq.RangeExpr) = Resolve(range, mustBePositive: true);
        if (Cur.Kind != TokenKind.RightBracket)
        {
            var step = ParseDurationExpr(0);
            (sq.Step, sq.StepExpr) = Resolve(step, mustBePositive: true);
            if (Cur.Kind != TokenKind.RightBracket) Unexpected("subquery selector", "\"]\"");
        }
        sq.EndPos = Next().End;
        return sq;
    }

    /// <summary>A plain literal becomes a value; anything else is kept as an expression (evaluated now when constant).</summary>
    private (long Ms, DurationExpr? Expr) Resolve(DurationExpr d, bool mustBePositive)
    {
        if (d.Op == DurationOp.Literal && !d.Wrapped) return (ToMs(d.Seconds, d.PosRange), null);
        if (!d.IsConstant) return (0, d);
        double s = d.EvaluateSeconds(0, 0);
        long ms = ToMs(s, d.PosRange);
        if (mustBePositive && ms <= 0) throw Fail(d.PosRange, $"{PromDuration.Format(ms)} duration must be greater than 0");
        return (ms, d);
    }

    private long ToMs(double seconds, PositionRange pos)
    {
        double ms = seconds * 1000;
        if (double.IsNaN(ms) || ms >= 9.2e18 || ms <= -9.2e18) throw Fail(pos, "duration out of range");
        return (long)Math.Round(ms);
    }

    private void ParseOffset(Expr e)
    {
        Next();
        DurationExpr d;
        if (Cur.Kind is TokenKind.Add or TokenKind.Sub)
        {
            var sign = Next();
            d = ApplySign(sign, ParseDurationAtom("offset", "number or duration"));
        }
        else
        {
            d = ParseDurationAtom("offset", "number or duration");
        }
        var (ms, expr) = Resolve(d, mustBePositive: false);
        VectorSelector? target = null;
        SubqueryExpr? sq = null;
        switch (e)
        {
            case VectorSelector v: target = v; break;
            case MatrixSelector m: target = m.VectorSelector; break;
            case SubqueryExpr s: sq = s; break;
            default:
                throw Fail(e.Pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
        if (target is not null)
        {
            if (target.OriginalOffset != 0 || target.OriginalOffsetExpr is not null) throw Fail(e.Pos, "offset may not be set multiple times");
            target.OriginalOffset = ms;
            target.Offset = ms;
            target.OriginalOffsetExpr = expr;
        }
        else
        {
            if (sq!.OriginalOffset != 0 || sq.OriginalOffsetExpr is not null) throw Fail(e.Pos, "offset may not be set multiple times");
            sq.OriginalOffset = ms;
            sq.Offset = ms;
            sq.OriginalOffsetExpr = expr;
        }
        ExtendEnd(e);
    }

    private void ExtendEnd(Expr e)
    {
        switch (e)
        {
            case VectorSelector v: v.PosRange = new PositionRange(v.PosRange.Start, _prevEnd); break;
            case MatrixSelector m: m.EndPos = _prevEnd; break;
            case SubqueryExpr s: s.EndPos = _prevEnd; break;
        }
    }

    private void ParseAt(Expr e)
    {
        Next();
        long? ts = null;
        var mode = AtModifier.None;
        if ((Keywords.Is(Cur, "start") || Keywords.Is(Cur, "end")) && PeekAt(1).Kind == TokenKind.LeftParen)
        {
            mode = Keywords.Is(Cur, "start") ? AtModifier.Start : AtModifier.End;
            Next();
            Next();
            Expect(TokenKind.RightParen, "@", "\")\"");
        }
        else
        {
            if (!(Cur.Kind is TokenKind.Number or TokenKind.Duration
                  || (Cur.Kind is TokenKind.Add or TokenKind.Sub && PeekAt(1).Kind is TokenKind.Number or TokenKind.Duration)))
                Unexpected("@", "timestamp");
            double s = ParseSignedNumber("@");
            if (double.IsInfinity(s) || double.IsNaN(s) || s * 1000 >= 9.223372036854775807e18 || s * 1000 <= -9.223372036854775808e18)
                throw Fail(e.Pos, $"timestamp out of bounds for @ modifier: {s.ToString("F6", CultureInfo.InvariantCulture)}");
            ts = (long)Math.Round(s * 1000, MidpointRounding.AwayFromZero);
        }
        VectorSelector? target = null;
        SubqueryExpr? sq = null;
        switch (e)
        {
            case VectorSelector v: target = v; break;
            case MatrixSelector m: target = m.VectorSelector; break;
            case SubqueryExpr s: sq = s; break;
            default:
                throw Fail(e.Pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
        if (target is not null)
        {
            if (target.Timestamp is not null || target.StartOrEnd != AtModifier.None) throw Fail(e.Pos, "@ <timestamp> may not be set multiple times");
            target.Timestamp = ts;
            target.StartOrEnd = mode;
        }
        else
        {
            if (sq!.Timestamp is not null || sq.StartOrEnd != AtModifier.None) throw Fail(e.Pos, "@ <timestamp> may not be set multiple times");
            sq.Timestamp = ts;
            sq.StartOrEnd = mode;
        }
        ExtendEnd(e);
    }

    private void ParseExtendedModifier(Expr e)
    {
        bool anchored = Keywords.Is(Next(), "anchored");
        string name = anchored ? "anchored" : "smoothed";
        VectorSelector target;
        switch (e)
        {
            case VectorSelector v: target = v; break;
            case MatrixSelector m: target = m.VectorSelector; break;
            case SubqueryExpr: throw Fail(e.Pos, $"{name} modifier is not supported for subqueries");
            default: throw Fail(e.Pos, $"{name} modifier not implemented");
        }
        if (anchored) target.Anchored = true;
        else target.Smoothed = true;
        if (target.Anchored && target.Smoothed) throw Fail(e.Pos, "anchored and smoothed modifiers cannot be used together");
        ExtendEnd(e);
    }

    // ---- duration expressions ----

    private DurationExpr ParseDurationExpr(int minPrec)
    {
        Enter();
        var lhs = ParseDurationUnary();
        int chain = 0;
        while (true)
        {
            DurationOp op;
            int prec;
            switch (Cur.Kind)
            {
                case TokenKind.Add: op = DurationOp.Add; prec = 4; break;
                case TokenKind.Sub: op = DurationOp.Sub; prec = 4; break;
                case TokenKind.Mul: op = DurationOp.Mul; prec = 5; break;
                case TokenKind.Div: op = DurationOp.Div; prec = 5; break;
                case TokenKind.Mod: op = DurationOp.Mod; prec = 5; break;
                case TokenKind.Pow: op = DurationOp.Pow; prec = 6; break;
                default: Leave(); return lhs;
            }
            if (prec < minPrec) break;
            if (++chain + _depth > MaxDepth) throw Fail(Cur.Range, $"query is nested too deeply: more than {MaxDepth} levels");
            Next();
            var rhs = ParseDurationExpr(op == DurationOp.Pow ? prec : prec + 1);
            lhs = new DurationExpr { Op = op, LHS = lhs, RHS = rhs, PosRange = new PositionRange(lhs.PosRange.Start, rhs.PosRange.End) };
        }
        Leave();
        return lhs;
    }

    private DurationExpr ParseDurationUnary()
    {
        if (Cur.Kind is TokenKind.Add or TokenKind.Sub)
        {
            var sign = Next();
            return ApplySign(sign, ParseDurationExpr(6));
        }
        return ParseDurationAtom("duration expression", "number, duration, step(), range(), min_of() or max_of()");
    }

    private static DurationExpr ApplySign(Token sign, DurationExpr operand)
    {
        if (operand.Op == DurationOp.Literal && !operand.Wrapped)
        {
            if (sign.Kind == TokenKind.Sub) operand.Seconds = -operand.Seconds;
            operand.PosRange = new PositionRange(sign.Pos, operand.PosRange.End);
            return operand;
        }
        if (sign.Kind == TokenKind.Add) return operand;
        return new DurationExpr { Op = DurationOp.Neg, RHS = operand, PosRange = new PositionRange(sign.Pos, operand.PosRange.End) };
    }

    private DurationExpr ParseDurationAtom(string context, string expected)
    {
        var t = Cur;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Next();
                return new DurationExpr { Op = DurationOp.Literal, Seconds = ParseNumber(t), PosRange = t.Range };
            case TokenKind.Duration:
                Next();
                return new DurationExpr { Op = DurationOp.Literal, Seconds = ParseDurationToken(t) / 1000.0, IsDurationLiteral = true, PosRange = t.Range };
            case TokenKind.LeftParen:
            {
                Next();
                var inner = ParseDurationExpr(0);
                if (Cur.Kind != TokenKind.RightParen) Unexpected(context, "\")\"");
                var close = Next();
                inner.Wrapped = true;
                inner.PosRange = new PositionRange(t.Pos, close.End);
                return inner;
            }
            case TokenKind.Identifier when PeekAt(1).Kind == TokenKind.LeftParen:
            {
                string lower = t.Text.ToLowerInvariant();
                if (lower is "step" or "range")
                {
                    Next();
                    Next();
                    Expect(TokenKind.RightParen, context, "\")\"");
                    return new DurationExpr { Op = lower == "step" ? DurationOp.Step : DurationOp.Range, PosRange = new PositionRange(t.Pos, _prevEnd) };
                }
                if (lower is "min_of" or "max_of")
                {
                    Next();
                    Next();
                    var a = ParseDurationExpr(0);
                    Expect(TokenKind.Comma, context, "\",\"");
                    var b = ParseDurationExpr(0);
                    Expect(TokenKind.RightParen, context, "\")\"");
                    return new DurationExpr
                    {
                        Op = lower == "min_of" ? DurationOp.MinOf : DurationOp.MaxOf,
                        LHS = a,
                        RHS = b,
                        PosRange = new PositionRange(t.Pos, _prevEnd),
                    };
                }
                break;
            }
        }
        Unexpected(context, expected);
        return null!;
    }

    // ---- literals ----

    private double ParseNumber(Token t)
    {
        if (NumberParsing.TryParse(t.Text, out double v, out string? error)) return v;
        throw Fail(t.Range, "error parsing number: " + error);
    }

    private long ParseDurationToken(Token t)
    {
        if (PromDuration.TryParse(t.Text, out long ms, out string? error)) return ms;
        throw Fail(t.Range, error ?? "invalid duration");
    }

    private static string Unquote(string raw) => StringUnquoter.Unquote(raw);

    // ---- type checking ----

    private void AddError(PositionRange pos, string message) => _errors.Add(new ParseError(pos, message));

    private void ExpectType(Expr e, ValueType want, string context)
    {
        var t = Check(e);
        if (t != want) AddError(e.Pos, $"expected type {want.ToText()} in {context}, got {t.ToText()}");
    }

    private ValueType Check(Expr node)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var typ = node.Type;
        switch (node)
        {
            case AggregateExpr a:
                ExpectType(a.Expr, ValueType.Vector, "aggregation expression");
                if (a.Op is AggregationOp.Topk or AggregationOp.Bottomk or AggregationOp.Quantile or AggregationOp.Limitk or AggregationOp.LimitRatio)
                    ExpectType(a.Param!, ValueType.Scalar, "aggregation parameter");
                if (a.Op == AggregationOp.CountValues) ExpectType(a.Param!, ValueType.String, "aggregation parameter");
                break;
            case BinaryExpr b:
                CheckBinary(b);
                break;
            case Call c:
                CheckCall(c);
                break;
            case ParenExpr p:
                Check(p.Expr);
                break;
            case UnaryExpr u:
            {
                var t = Check(u.Expr);
                if (t is not (ValueType.Scalar or ValueType.Vector))
                    AddError(u.Pos, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{t.ToText()}\"");
                break;
            }
            case SubqueryExpr s:
            {
                var t = Check(s.Expr);
                if (t != ValueType.Vector) AddError(s.Pos, $"subquery is only allowed on instant vector, got {GoTypeName(t)} instead");
                break;
            }
            case MatrixSelector m:
                Check(m.VectorSelector);
                break;
            case VectorSelector v:
                CheckSelector(v);
                break;
        }
        return typ;
    }

    private static string GoTypeName(ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.Vector => "vector",
        ValueType.Matrix => "matrix",
        ValueType.String => "string",
        _ => "none",
    };

    private void CheckSelector(VectorSelector v)
    {
        if (v.Name.Length > 0)
        {
            for (int i = 0; i < v.LabelMatchers.Count - 1; i++)
            {
                var m = v.LabelMatchers[i];
                if (m.Name == Labels.MetricName)
                    AddError(v.Pos, $"metric name must not be set twice: {Lexer.GoQuote(v.Name)} or {Lexer.GoQuote(m.Value)}");
            }
            return;
        }
        if (v.BypassEmptyMatcherCheck) return;
        foreach (var m in v.LabelMatchers)
        {
            if (!m.MatchesEmpty) return;
        }
        AddError(v.Pos, "vector selector must contain at least one non-empty matcher");
    }

    private PositionRange OperatorRange(BinaryExpr n)
    {
        int start = n.LHS.Pos.End;
        while (start < _input.Length && Lexer.IsSpace(_input[start])) start++;
        int end = n.RHS.Pos.Start - 1;
        while (end > start && Lexer.IsSpace(_input[end])) end--;
        return new PositionRange(start, end);
    }

    private void CheckBinary(BinaryExpr n)
    {
        var lt = Check(n.LHS);
        var rt = Check(n.RHS);
        var vm = n.VectorMatching!;
        if (n.ReturnBool && !n.Op.IsComparison()) AddError(OperatorRange(n), "bool modifier can only be used on comparison operators");
        if (n.Op.IsComparison() && !n.ReturnBool && n.RHS.Type == ValueType.Scalar && n.LHS.Type == ValueType.Scalar)
            AddError(OperatorRange(n), "comparisons between scalars must use BOOL modifier");
        if (n.Op.IsSetOperator() && vm.Card == VectorMatchCardinality.OneToOne) vm.Card = VectorMatchCardinality.ManyToMany;
        if (vm.On)
        {
            foreach (var l1 in vm.MatchingLabels)
            {
                foreach (var l2 in vm.Include)
                {
                    if (l1 == l2) AddError(OperatorRange(n), $"label {Lexer.GoQuote(l1)} must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (lt is not (ValueType.Scalar or ValueType.Vector)) AddError(n.LHS.Pos, "binary expression must contain only scalar and instant vector types");
        if (rt is not (ValueType.Scalar or ValueType.Vector)) AddError(n.RHS.Pos, "binary expression must contain only scalar and instant vector types");
        bool hasFill = vm.Fill is not null;
        if (lt != ValueType.Vector || rt != ValueType.Vector)
        {
            if (vm.MatchingLabels.Count > 0) AddError(n.Pos, "vector matching only allowed between instant vectors");
            if (hasFill) AddError(n.Pos, "filling in missing series only allowed between instant vectors");
            n.VectorMatching = null;
        }
        else if (n.Op.IsSetOperator())
        {
            if (vm.Card is VectorMatchCardinality.OneToMany or VectorMatchCardinality.ManyToOne)
                AddError(n.Pos, $"no grouping allowed for \"{n.Op.ToText()}\" operation");
            if (vm.Card != VectorMatchCardinality.ManyToMany) AddError(n.Pos, "set operations must always be many-to-many");
            if (hasFill) AddError(n.Pos, "filling in missing series not allowed for set operators");
        }
        if ((lt == ValueType.Scalar || rt == ValueType.Scalar) && n.Op.IsSetOperator())
            AddError(n.Pos, $"set operator \"{n.Op.ToText()}\" not allowed in binary scalar expression");
    }

    private void CheckCall(Call n)
    {
        var f = n.Func;
        int nargs = f.ArgTypes.Count;
        if (f.Variadic == 0)
        {
            if (nargs != n.Args.Count) AddError(n.Pos, $"expected {nargs} argument(s) in call to {Lexer.GoQuote(f.Name)}, got {n.Args.Count}");
        }
        else
        {
            int na = nargs - 1;
            if (na > n.Args.Count)
                AddError(n.Pos, $"expected at least {na} argument(s) in call to {Lexer.GoQuote(f.Name)}, got {n.Args.Count}");
            else if (f.Variadic > 0 && na + f.Variadic < n.Args.Count)
                AddError(n.Pos, $"expected at most {na + f.Variadic} argument(s) in call to {Lexer.GoQuote(f.Name)}, got {n.Args.Count}");
        }
        if (f.Name == "info" && n.Args.Count > 1)
        {
            if (n.Args[1].Type != ValueType.Vector)
                AddError(n.Pos, $"expected type {ValueType.Vector.ToText()} in call to function \"info\", got {n.Args[1].Type.ToText()}");
            if (n.Args[1] is VectorSelector vs)
            {
                if (vs.Name.Length > 0) AddError(n.Args[1].Pos, "expected label selectors only, got vector selector instead");
                else vs.BypassEmptyMatcherCheck = true;
            }
            else
            {
                AddError(n.Args[1].Pos, "expected label selectors only");
            }
        }
        for (int i = 0; i < n.Args.Count; i++)
        {
            if (i >= nargs && f.Variadic == 0) break;
            var want = f.ArgType(i);
            var t = Check(n.Args[i]);
            if (t != want)
                AddError(n.Args[i].Pos, $"expected type {want.ToText()} in call to function {Lexer.GoQuote(f.Name)}, got {t.ToText()}");
        }
    }

    /// <summary>Maximum depth of the tree, computed without recursion.</summary>
    private static int TreeDepth(Expr root)
    {
        int max = 0;
        var stack = new Stack<(Expr Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > max) max = depth;
            if (depth > MaxDepth) return depth;
            foreach (var c in node.Children) stack.Push((c, depth + 1));
        }
        return max;
    }
}
