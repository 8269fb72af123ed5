using System.Globalization;
using System.Text;

namespace Portal.Rules.Templates;

/// <summary>
/// Builds parse trees from tokens with Go's <c>text/template/parse</c> grammar: actions, pipelines with
/// declarations, if/else if/else with/range/with/define/block/template/break/continue, parenthesised
/// pipelines and field chains. Checks functions and variables at parse time, as Go does.
/// </summary>
internal sealed class TemplateParser
{
    private readonly string _name;
    private readonly string _parseName;
    private readonly string _src;
    private readonly List<Token> _tokens;
    private readonly Func<string, bool> _hasFunction;
    private readonly Dictionary<string, ParseTree> _trees;
    private int _i;
    private List<string> _vars = ["$"];
    private int _rangeDepth;

    private TemplateParser(string name, string parseName, string src, List<Token> tokens, Func<string, bool> hasFunction, Dictionary<string, ParseTree> trees)
    {
        _name = name;
        _parseName = parseName;
        _src = src;
        _tokens = tokens;
        _hasFunction = hasFunction;
        _trees = trees;
    }

    /// <summary>Parses <paramref name="src"/>; returns the trees it defines, the top-level one under <paramref name="name"/>.</summary>
    public static Dictionary<string, ParseTree> Parse(string name, string src, Func<string, bool> hasFunction)
    {
        var tokens = TemplateLexer.Lex(name, src);
        var trees = new Dictionary<string, ParseTree>(StringComparer.Ordinal);
        var p = new TemplateParser(name, name, src, tokens, hasFunction, trees);
        var root = new ListNode(0);
        while (p.Peek().Kind != TokenKind.Eof)
        {
            if (p.Peek().Kind == TokenKind.LeftDelim)
            {
                int save = p._i;
                p.Next();
                if (p.NextNonSpace().Kind == TokenKind.Define)
                {
                    p.ParseDefinition();
                    continue;
                }
                p._i = save;
            }
            var n = p.TextOrAction();
            if (n is EndMarker or ElseMarker) throw p.Error(n.Pos, $"unexpected {n}");
            root.Nodes.Add(n);
        }
        p.AddTree(new ParseTree(name, root, src, name), 0);
        return trees;
    }

    private TemplateException Error(int pos, string message) => TemplateException.Parse(_parseName, _src, pos, message);

    private Token Peek() => _tokens[_i];

    private Token Next() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];

    private Token NextNonSpace()
    {
        var t = Next();
        while (t.Kind == TokenKind.Space) t = Next();
        return t;
    }

    private Token PeekNonSpace()
    {
        var t = NextNonSpace();
        _i--;
        return t;
    }

    private void Backup() => _i--;

    private Token Expect(TokenKind kind, string context)
    {
        var t = NextNonSpace();
        if (t.Kind != kind) throw Unexpected(t, context);
        return t;
    }

    private TemplateException Unexpected(Token t, string context)
    {
        if (t.Kind == TokenKind.Eof) return Error(t.Pos, "unexpected EOF");
        string desc = t.Kind switch
        {
            TokenKind.RightDelim => "\"}}\"",
            TokenKind.LeftDelim => "\"{{\"",
            TokenKind.String or TokenKind.RawString or TokenKind.Number or TokenKind.CharConstant => t.Text,
            TokenKind.Char => GoFormat.Quote(t.Text),
            _ => GoFormat.Quote(t.Text),
        };
        if (t.Kind is TokenKind.Block or TokenKind.Break or TokenKind.Continue or TokenKind.Define or TokenKind.Else or TokenKind.End
            or TokenKind.If or TokenKind.Range or TokenKind.Template or TokenKind.With)
            desc = "<" + t.Text + ">";
        return Error(t.Pos, $"unexpected {desc} in {context}");
    }

    private void AddTree(ParseTree tree, int pos)
    {
        if (_trees.TryGetValue(tree.Name, out var old) && !old.IsEmpty)
        {
            if (!tree.IsEmpty) throw Error(pos, $"template: multiple definition of template {GoFormat.Quote(tree.Name)}");
            return;
        }
        _trees[tree.Name] = tree;
    }

    private void ParseDefinition()
    {
        const string context = "define clause";
        var nameTok = NextNonSpace();
        if (nameTok.Kind is not (TokenKind.String or TokenKind.RawString)) throw Unexpected(nameTok, context);
        string name = Unquote(nameTok);
        Expect(TokenKind.RightDelim, context);
        var saved = _vars;
        _vars = ["$"];
        var (list, end) = ItemList();
        _vars = saved;
        if (end is not EndMarker) throw Error(end.Pos, $"unexpected {end} in {context}");
        AddTree(new ParseTree(name, list, _src, _parseName), nameTok.Pos);
    }

    private (ListNode List, Node End) ItemList()
    {
        var list = new ListNode(PeekNonSpace().Pos);
        while (PeekNonSpace().Kind != TokenKind.Eof)
        {
            var n = TextOrAction();
            if (n is EndMarker or ElseMarker) return (list, n);
            list.Nodes.Add(n);
        }
        throw Error(Peek().Pos, "unexpected EOF");
    }

    private Node TextOrAction()
    {
        var t = NextNonSpace();
        switch (t.Kind)
        {
            case TokenKind.Text: return new TextNode(t.Pos, t.Text);
            case TokenKind.LeftDelim: return Action();
            case TokenKind.Comment: return new CommentNode(t.Pos);
            default: throw Unexpected(t, "input");
        }
    }

    private Node Action()
    {
        var t = NextNonSpace();
        switch (t.Kind)
        {
            case TokenKind.Block: return BlockControl(t);
            case TokenKind.Break: return BreakControl(t, "break");
            case TokenKind.Continue: return BreakControl(t, "continue");
            case TokenKind.Else: return ElseControl(t);
            case TokenKind.End:
                Expect(TokenKind.RightDelim, "end");
                return new EndMarker(t.Pos);
            case TokenKind.If: return ParseControl(t, BranchKind.If, "if");
            case TokenKind.Range: return ParseControl(t, BranchKind.Range, "range");
            case TokenKind.Template: return TemplateControl(t);
            case TokenKind.With: return ParseControl(t, BranchKind.With, "with");
        }
        Backup();
        var pos = Peek().Pos;
        return new ActionNode(pos, Pipeline("command", TokenKind.RightDelim));
    }

    private Node BreakControl(Token t, string word)
    {
        if (_rangeDepth == 0) throw Error(t.Pos, $"{{{{{word}}}}} outside {{{{range}}}}");
        Expect(TokenKind.RightDelim, "{{" + word + "}}");
        return word == "break" ? new BreakNode(t.Pos) : new ContinueNode(t.Pos);
    }

    private Node ElseControl(Token t)
    {
        var peek = PeekNonSpace();
        if (peek.Kind is TokenKind.If or TokenKind.With) return new ElseMarker(t.Pos, peek.Kind);
        Expect(TokenKind.RightDelim, "else");
        return new ElseMarker(t.Pos, TokenKind.Else);
    }

    private BranchNode ParseControl(Token t, BranchKind kind, string context)
    {
        int varCount = _vars.Count;
        var pipe = Pipeline(context, TokenKind.RightDelim);
        if (kind == BranchKind.Range) _rangeDepth++;
        var (list, next) = ItemList();
        if (kind == BranchKind.Range) _rangeDepth--;
        ListNode? elseList = null;
        if (next is ElseMarker em)
        {
            if (kind == BranchKind.If && em.Follows == TokenKind.If || kind == BranchKind.With && em.Follows == TokenKind.With)
            {
                var kw = NextNonSpace();
                elseList = new ListNode(em.Pos);
                elseList.Nodes.Add(ParseControl(kw, kind, context));
            }
            else
            {
                if (em.Follows != TokenKind.Else) throw Error(em.Pos, $"unexpected {{{{else {(em.Follows == TokenKind.If ? "if" : "with")}}}}} in {context}");
                Node end;
                (elseList, end) = ItemList();
                if (end is not EndMarker) throw Error(end.Pos, $"expected end; found {end}");
            }
        }
        _vars.RemoveRange(varCount, _vars.Count - varCount);
        return new BranchNode(t.Pos, kind, pipe, list, elseList);
    }

    private Node TemplateControl(Token t)
    {
        const string context = "template clause";
        var nameTok = NextNonSpace();
        if (nameTok.Kind is not (TokenKind.String or TokenKind.RawString)) throw Unexpected(nameTok, context);
        string name = Unquote(nameTok);
        PipeNode? pipe = null;
        if (NextNonSpace().Kind != TokenKind.RightDelim)
        {
            Backup();
            pipe = Pipeline(context, TokenKind.RightDelim);
        }
        return new TemplateNode(nameTok.Pos, name, pipe);
    }

    private Node BlockControl(Token t)
    {
        const string context = "block clause";
        var nameTok = NextNonSpace();
        if (nameTok.Kind is not (TokenKind.String or TokenKind.RawString)) throw Unexpected(nameTok, context);
        string name = Unquote(nameTok);
        var pipe = Pipeline(context, TokenKind.RightDelim);
        var saved = _vars;
        _vars = ["$"];
        var (list, end) = ItemList();
        _vars = saved;
        if (end is not EndMarker) throw Error(end.Pos, $"unexpected {end} in {context}");
        AddTree(new ParseTree(name, list, _src, _parseName), nameTok.Pos);
        return new TemplateNode(nameTok.Pos, name, pipe);
    }

    private PipeNode Pipeline(string context, TokenKind end)
    {
        var first = PeekNonSpace();
        var decl = new List<VariableNode>();
        bool isAssign = false;
        while (true)
        {
            var v = PeekNonSpace();
            if (v.Kind != TokenKind.Variable) break;
            int save = _i;
            NextNonSpace();
            var next = PeekNonSpace();
            if (next.Kind is TokenKind.Assign or TokenKind.Declare)
            {
                isAssign = next.Kind == TokenKind.Assign;
                NextNonSpace();
                if (isAssign && !_vars.Contains(v.Text)) throw Error(v.Pos, $"undefined variable {GoFormat.Quote(v.Text)}");
                decl.Add(new VariableNode(v.Pos, [v.Text]));
                _vars.Add(v.Text);
                break;
            }
            if (next.Kind == TokenKind.Char && next.Text == ",")
            {
                NextNonSpace();
                decl.Add(new VariableNode(v.Pos, [v.Text]));
                _vars.Add(v.Text);
                if (context == "range" && decl.Count < 2)
                {
                    var k = PeekNonSpace().Kind;
                    if (k is TokenKind.Variable or TokenKind.RightDelim or TokenKind.RightParen) continue;
                    throw Error(next.Pos, "range can only initialize variables");
                }
                throw Error(next.Pos, $"too many declarations in {context}");
            }
            _i = save;
            break;
        }
        var pipe = new PipeNode(first.Pos, isAssign, decl);
        while (true)
        {
            var t = NextNonSpace();
            if (t.Kind == end)
            {
                CheckPipeline(pipe, context, t);
                return pipe;
            }
            switch (t.Kind)
            {
                case TokenKind.Bool:
                case TokenKind.CharConstant:
                case TokenKind.Dot:
                case TokenKind.Field:
                case TokenKind.Identifier:
                case TokenKind.Number:
                case TokenKind.Nil:
                case TokenKind.RawString:
                case TokenKind.String:
                case TokenKind.Variable:
                case TokenKind.LeftParen:
                    Backup();
                    pipe.Cmds.Add(Command());
                    break;
                default:
                    throw Unexpected(t, context);
            }
        }
    }

    private void CheckPipeline(PipeNode pipe, string context, Token endTok)
    {
        if (pipe.Cmds.Count == 0) throw Error(endTok.Pos, $"missing value for {context}");
        for (int i = 1; i < pipe.Cmds.Count; i++)
        {
            if (pipe.Cmds[i].Args[0] is BoolNode or DotNode or NilNode or NumberNode or StringNode)
                throw Error(pipe.Cmds[i].Pos, $"non executable command in pipeline stage {i + 1}");
        }
    }

    private CommandNode Command()
    {
        var cmd = new CommandNode(PeekNonSpace().Pos);
        while (true)
        {
            PeekNonSpace();
            var operand = Operand();
            if (operand is not null) cmd.Args.Add(operand);
            var t = Next();
            if (t.Kind == TokenKind.Space) continue;
            if (t.Kind is TokenKind.RightDelim or TokenKind.RightParen) Backup();
            else if (t.Kind != TokenKind.Pipe) throw Unexpected(t, "operand");
            break;
        }
        if (cmd.Args.Count == 0) throw Error(cmd.Pos, "empty command");
        return cmd;
    }

    private Node? Operand()
    {
        var node = Term();
        if (node is null) return null;
        if (Peek().Kind != TokenKind.Field) return node;
        // Like Go, a chained node is positioned at its first trailing field.
        int chainPos = Peek().Pos;
        var fields = new List<string>();
        while (Peek().Kind == TokenKind.Field) fields.Add(Next().Text[1..]);
        switch (node)
        {
            case FieldNode f:
                return new FieldNode(chainPos, [.. f.Ident, .. fields]);
            case VariableNode v:
                return new VariableNode(chainPos, [.. v.Ident, .. fields]);
            case BoolNode or StringNode or NumberNode or NilNode or DotNode:
                throw Error(node.Pos, $"unexpected . after term {GoFormat.Quote(node.ToString()!)}");
            default:
                var chain = new ChainNode(chainPos, node);
                chain.Fields.AddRange(fields);
                return chain;
        }
    }

    private Node? Term()
    {
        var t = NextNonSpace();
        switch (t.Kind)
        {
            case TokenKind.Identifier:
                if (!_hasFunction(t.Text)) throw Error(t.Pos, $"function {GoFormat.Quote(t.Text)} not defined");
                return new IdentifierNode(t.Pos, t.Text);
            case TokenKind.Dot: return new DotNode(t.Pos);
            case TokenKind.Nil: return new NilNode(t.Pos);
            case TokenKind.Variable:
                if (!_vars.Contains(t.Text)) throw Error(t.Pos, $"undefined variable {GoFormat.Quote(t.Text)}");
                return new VariableNode(t.Pos, [t.Text]);
            case TokenKind.Field: return new FieldNode(t.Pos, [t.Text[1..]]);
            case TokenKind.Bool: return new BoolNode(t.Pos, t.Text == "true");
            case TokenKind.Number: return ParseNumber(t);
            case TokenKind.CharConstant:
            {
                var s = UnquoteText(t, t.Text[1..^1], '\'');
                var r = Rune.GetRuneAt(s, 0);
                if (s.Length != r.Utf16SequenceLength) throw Error(t.Pos, $"malformed character constant: {t.Text}");
                return new NumberNode(t.Pos, t.Text, true, r.Value, r.Value);
            }
            case TokenKind.LeftParen:
            {
                var pipe = Pipeline("parenthesized pipeline", TokenKind.RightParen);
                return pipe;
            }
            case TokenKind.String:
            case TokenKind.RawString:
                return new StringNode(t.Pos, t.Text, Unquote(t));
        }
        Backup();
        return null;
    }

    private NumberNode ParseNumber(Token t)
    {
        string text = t.Text;
        if (text.EndsWith('i')) throw Error(t.Pos, $"complex constants are not supported: {text}");
        string clean = text.Replace("_", "");
        bool neg = clean.StartsWith('-');
        string body = clean.TrimStart('+', '-');
        bool isFloatSyntax = !body.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && body.AsSpan().IndexOfAny(".eE") >= 0
            || body.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && body.AsSpan().IndexOfAny(".pP") >= 0;
        if (!isFloatSyntax && TryParseInt(body, out ulong u))
        {
            if (neg ? u <= 9223372036854775808UL : u <= long.MaxValue)
            {
                long l = neg ? (long)(0 - u) : (long)u;
                return new NumberNode(t.Pos, text, true, l, l);
            }
            return new NumberNode(t.Pos, text, false, 0, neg ? -(double)u : u);
        }
        if (!isFloatSyntax || !double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out double f))
            throw Error(t.Pos, $"illegal number syntax: {GoFormat.Quote(text)}");
        return new NumberNode(t.Pos, text, false, 0, f);
    }

    private static bool TryParseInt(string body, out ulong value)
    {
        value = 0;
        int radix = 10;
        string digits = body;
        if (body.Length > 1 && body[0] == '0')
        {
            char p = char.ToLowerInvariant(body[1]);
            if (p == 'x') { radix = 16; digits = body[2..]; }
            else if (p == 'o') { radix = 8; digits = body[2..]; }
            else if (p == 'b') { radix = 2; digits = body[2..]; }
            else { radix = 8; digits = body[1..]; }
        }
        if (digits.Length == 0) return false;
        try
        {
            foreach (char c in digits)
            {
                int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigit(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
                if (d >= radix) return false;
                value = checked(value * (ulong)radix + (ulong)d);
            }
        }
        catch (OverflowException)
        {
            return false;
        }
        return true;
    }

    private string Unquote(Token t) =>
        t.Kind == TokenKind.RawString ? t.Text[1..^1].Replace("\r", "") : UnquoteText(t, t.Text[1..^1], '"');

    /// <summary>Go's escape sequences in interpreted string and character literals.</summary>
    private string UnquoteText(Token t, string s, char quote)
    {
        if (s.IndexOf('\\') < 0) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= s.Length) throw Error(t.Pos, "invalid syntax");
            char e = s[i];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '\'' or '"':
                    if (e != quote) throw Error(t.Pos, "invalid syntax");
                    sb.Append(e);
                    break;
                case 'x':
                case 'u':
                case 'U':
                {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    var hex = i + n < s.Length ? s.Substring(i + 1, n) : "";
                    if (hex.Length != n || !int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v)) throw Error(t.Pos, "invalid syntax");
                    if (e == 'x') sb.Append((char)v);
                    else sb.Append(char.ConvertFromUtf32(v));
                    i += n;
                    break;
                }
                default:
                    if (e is >= '0' and <= '7' && i + 2 < s.Length)
                    {
                        sb.Append((char)Convert.ToInt32(s.Substring(i, 3), 8));
                        i += 2;
                        break;
                    }
                    throw Error(t.Pos, "invalid syntax");
            }
        }
        return sb.ToString();
    }

    private sealed class EndMarker(int pos) : Node(pos)
    {
        public override string ToString() => "{{end}}";
    }

    private sealed class ElseMarker(int pos, TokenKind follows) : Node(pos)
    {
        public TokenKind Follows { get; } = follows;
        public override string ToString() => "{{else}}";
    }
}
