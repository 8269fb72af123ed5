using System.Collections;
using System.Reflection;
using System.Text;

namespace Portal.Rules.Templates;

/// <summary>
/// Runs parse trees with Go's text/template semantics (exec.go): pipelines passing the previous command's value
/// as the last argument, variable scopes, field chains with method-first lookup, missingkey modes, lazy
/// and/or, range over slices, maps (sorted keys) and ints with break/continue, and Go's error wording.
/// One instance per execution; not thread-safe.
/// </summary>
internal sealed class TemplateExecutor
{
    private const int MaxDepth = 1000;
    private static readonly object NoFinal = new();

    private readonly GoTemplate _set;
    private readonly TemplateFunctions _funcs;
    private readonly StringBuilder _out;
    private readonly CancellationToken _ct;
    private readonly List<(string Name, object? Value)> _vars = [];
    private ParseTree _tree;
    private Node? _node;
    private int _depth;

    private TemplateExecutor(GoTemplate set, TemplateFunctions funcs, ParseTree tree, StringBuilder output, CancellationToken ct)
    {
        _set = set;
        _funcs = funcs;
        _tree = tree;
        _out = output;
        _ct = ct;
    }

    public static void Run(GoTemplate set, TemplateFunctions funcs, ParseTree tree, object? data, StringBuilder output, CancellationToken ct)
    {
        var e = new TemplateExecutor(set, funcs, tree, output, ct);
        e._vars.Add(("$", TemplateValues.Normalize(data)));
        try
        {
            e.Walk(TemplateValues.Normalize(data), tree.Root);
        }
        catch (BreakSignal)
        {
            throw e.Fail("unexpected break outside range");
        }
    }

    private TemplateException Fail(string message, Exception? inner = null)
    {
        var node = _node;
        return TemplateException.Exec(_tree.ParseName, _tree.Source, node?.Pos ?? 0, _tree.Name, node?.ToString() ?? "", message, inner);
    }

    private void At(Node n) => _node = n;

    private int Mark() => _vars.Count;

    private void Pop(int mark) => _vars.RemoveRange(mark, _vars.Count - mark);

    private void SetVar(string name, object? value)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
        {
            if (_vars[i].Name == name)
            {
                _vars[i] = (name, value);
                return;
            }
        }
        throw Fail($"undefined variable: {name}");
    }

    private void SetTopVar(int n, object? value) => _vars[^n] = (_vars[^n].Name, value);

    private object? VarValue(string name)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
            if (_vars[i].Name == name) return _vars[i].Value;
        throw Fail($"undefined variable: {name}");
    }

    private void Walk(object? dot, Node node)
    {
        _ct.ThrowIfCancellationRequested();
        At(node);
        switch (node)
        {
            case ActionNode a:
            {
                var val = EvalPipeline(dot, a.Pipe);
                if (a.Pipe.Decl.Count == 0) PrintValue(a, val);
                break;
            }
            case BreakNode: throw BreakSignal.Instance;
            case ContinueNode: throw ContinueSignal.Instance;
            case CommentNode: break;
            case BranchNode { Kind: BranchKind.Range } r: WalkRange(dot, r); break;
            case BranchNode b:
            {
                int mark = Mark();
                var val = EvalPipeline(dot, b.Pipe);
                if (TemplateValues.IsTrue(val)) Walk(b.Kind == BranchKind.With ? val : dot, b.List);
                else if (b.ElseList is not null) Walk(dot, b.ElseList);
                Pop(mark);
                break;
            }
            case ListNode l:
                foreach (var n in l.Nodes) Walk(dot, n);
                break;
            case TemplateNode t: WalkTemplate(dot, t); break;
            case TextNode x: _out.Append(x.Text); break;
            default: throw Fail($"unknown node: {node}");
        }
    }

    private void WalkTemplate(object? dot, TemplateNode t)
    {
        At(t);
        if (!_set.TryGetTree(t.Name, out var tree)) throw Fail($"template {GoFormat.Quote(t.Name)} not defined");
        if (_depth >= MaxDepth) throw Fail($"exceeded maximum template depth ({MaxDepth})");
        var newDot = t.Pipe is null ? null : EvalPipeline(dot, t.Pipe);
        var savedVars = _vars.ToArray();
        var savedTree = _tree;
        _vars.Clear();
        _vars.Add(("$", newDot));
        _tree = tree;
        _depth++;
        try
        {
            Walk(newDot, tree.Root);
        }
        finally
        {
            _depth--;
            _tree = savedTree;
            _vars.Clear();
            _vars.AddRange(savedVars);
        }
    }

    private void WalkRange(object? dot, BranchNode r)
    {
        At(r);
        int outer = Mark();
        var val = EvalPipeline(dot, r.Pipe);
        int mark = Mark();
        bool any = false;
        try
        {
            switch (val)
            {
                case null: break;
                case IDictionary map:
                    foreach (var k in GoFormat.SortedKeys(map))
                    {
                        any = true;
                        if (!Iterate(r, TemplateValues.Normalize(k), TemplateValues.Normalize(map[k!]), mark)) break;
                    }
                    break;
                case string s:
                    throw Fail($"range can't iterate over {s}");
                case IList list:
                    for (int i = 0; i < list.Count; i++)
                    {
                        any = true;
                        if (!Iterate(r, (long)i, TemplateValues.Normalize(list[i]), mark)) break;
                    }
                    break;
                case long n:
                    for (long i = 0; i < n; i++)
                    {
                        any = true;
                        if (!Iterate(r, i, i, mark)) break;
                    }
                    break;
                case IEnumerable seq:
                {
                    long i = 0;
                    foreach (var e in seq)
                    {
                        any = true;
                        if (!Iterate(r, i++, TemplateValues.Normalize(e), mark)) break;
                    }
                    break;
                }
                default:
                    throw Fail($"range can't iterate over {GoFormat.Print(val)}");
            }
            if (!any && r.ElseList is not null) Walk(dot, r.ElseList);
        }
        finally
        {
            Pop(outer);
        }
    }

    /// <summary>Runs one iteration; false when the body broke out of the loop.</summary>
    private bool Iterate(BranchNode r, object? index, object? elem, int mark)
    {
        if (r.Pipe.Decl.Count > 0)
        {
            if (r.Pipe.IsAssign)
            {
                if (r.Pipe.Decl.Count > 1)
                {
                    SetVar(r.Pipe.Decl[0].Ident[0], index);
                    SetVar(r.Pipe.Decl[1].Ident[0], elem);
                }
                else SetVar(r.Pipe.Decl[0].Ident[0], elem);
            }
            else
            {
                SetTopVar(1, elem);
                if (r.Pipe.Decl.Count > 1) SetTopVar(2, index);
            }
        }
        try
        {
            Walk(elem, r.List);
        }
        catch (ContinueSignal)
        {
        }
        catch (BreakSignal)
        {
            return false;
        }
        finally
        {
            Pop(mark);
        }
        return true;
    }

    private object? EvalPipeline(object? dot, PipeNode pipe)
    {
        At(pipe);
        object? value = NoFinal;
        foreach (var cmd in pipe.Cmds)
        {
            value = EvalCommand(dot, cmd, value);
        }
        if (ReferenceEquals(value, NoFinal)) value = null;
        foreach (var v in pipe.Decl)
        {
            if (pipe.IsAssign) SetVar(v.Ident[0], value);
            else _vars.Add((v.Ident[0], value));
        }
        return value;
    }

    private void NotAFunction(List<Node> args, object? final)
    {
        if (args.Count > 1 || !ReferenceEquals(final, NoFinal))
            throw Fail($"can't give argument to non-function {args[0]}");
    }

    private object? EvalCommand(object? dot, CommandNode cmd, object? final)
    {
        var first = cmd.Args[0];
        switch (first)
        {
            case FieldNode f: return EvalFieldNode(dot, f, cmd.Args, final);
            case ChainNode c: return EvalChainNode(dot, c, cmd.Args, final);
            case IdentifierNode id: return EvalFunction(dot, id, cmd, cmd.Args, final);
            case PipeNode p:
                NotAFunction(cmd.Args, final);
                return EvalPipeline(dot, p);
            case VariableNode v: return EvalVariableNode(dot, v, cmd.Args, final);
        }
        At(first);
        NotAFunction(cmd.Args, final);
        return first switch
        {
            BoolNode b => b.Value,
            DotNode => dot,
            NilNode => throw Fail("nil is not a command"),
            NumberNode n => Constant(n),
            StringNode s => s.Text,
            _ => throw Fail($"can't evaluate command {first}"),
        };
    }

    private static object Constant(NumberNode n) => n.IsInt ? n.IntValue : (object)n.FloatValue;

    private object? EvalFieldNode(object? dot, FieldNode field, List<Node>? args, object? final)
    {
        At(field);
        return EvalFieldChain(dot, dot, field, field.Ident, args, final);
    }

    private object? EvalChainNode(object? dot, ChainNode chain, List<Node>? args, object? final)
    {
        At(chain);
        if (chain.Fields.Count == 0) throw Fail("internal error: no fields in evalChainNode");
        if (chain.Node is NilNode) throw Fail($"indirection through explicit nil in {chain}");
        var pipe = EvalArg(dot, chain.Node);
        return EvalFieldChain(dot, pipe, chain, chain.Fields, args, final);
    }

    private object? EvalVariableNode(object? dot, VariableNode v, List<Node>? args, object? final)
    {
        At(v);
        var value = VarValue(v.Ident[0]);
        if (v.Ident.Length == 1)
        {
            if (args is not null) NotAFunction(args, final);
            return value;
        }
        return EvalFieldChain(dot, value, v, v.Ident.AsSpan(1).ToArray(), args, final);
    }

    private object? EvalFieldChain(object? dot, object? receiver, Node node, IReadOnlyList<string> ident, List<Node>? args, object? final)
    {
        int n = ident.Count;
        for (int i = 0; i < n - 1; i++) receiver = EvalField(dot, ident[i], node, null, NoFinal, receiver);
        return EvalField(dot, ident[n - 1], node, args, final, receiver);
    }

    private object? EvalField(object? dot, string fieldName, Node node, List<Node>? args, object? final, object? receiver)
    {
        if (receiver is null)
        {
            if (_set.MissingKey == MissingKeyMode.Error) throw Fail($"nil data; no entry for key {GoFormat.Quote(fieldName)}");
            return null;
        }
        bool hasArgs = (args is not null && args.Count > 1) || !ReferenceEquals(final, NoFinal);
        var members = TemplateValues.FindMembers(receiver.GetType(), fieldName);
        foreach (var m in members)
        {
            if (m is MethodInfo)
                return CallMethod(dot, receiver, members, node, fieldName, args, final);
        }
        if (receiver is IDictionary map)
        {
            if (hasArgs) throw Fail($"{fieldName} is not a method but has arguments");
            if (map.Contains(fieldName)) return TemplateValues.Normalize(map[fieldName]);
            return _set.MissingKey switch
            {
                MissingKeyMode.Zero => TemplateValues.ZeroOfElement(map),
                MissingKeyMode.Error => throw Fail($"map has no entry for key {GoFormat.Quote(fieldName)}"),
                _ => null,
            };
        }
        foreach (var m in members)
        {
            if (hasArgs) throw Fail($"{fieldName} has arguments but cannot be invoked as function");
            try
            {
                return m switch
                {
                    PropertyInfo p => TemplateValues.Normalize(p.GetValue(receiver)),
                    FieldInfo f => TemplateValues.Normalize(f.GetValue(receiver)),
                    _ => null,
                };
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw Fail($"error calling {fieldName}: {e.InnerException.Message}", e.InnerException);
            }
        }
        throw Fail($"can't evaluate field {fieldName} in type {GoFormat.TypeName(receiver)}");
    }

    private object? CallMethod(object? dot, object receiver, MemberInfo[] members, Node node, string name, List<Node>? args, object? final)
    {
        var argValues = EvalArgs(dot, args, final);
        MethodInfo? method = null;
        foreach (var m in members)
            if (m is MethodInfo mi && mi.GetParameters().Length == argValues.Count) { method = mi; break; }
        if (method is null)
        {
            var any = (MethodInfo)Array.Find(members, m => m is MethodInfo)!;
            throw Fail($"wrong number of args for {name}: want {any.GetParameters().Length} got {argValues.Count}");
        }
        var ps = method.GetParameters();
        var converted = new object?[ps.Length];
        try
        {
            for (int i = 0; i < ps.Length; i++) converted[i] = TemplateValues.ConvertArg(argValues[i], ps[i].ParameterType);
        }
        catch (TemplateArgumentException e)
        {
            throw Fail(e.Message);
        }
        try
        {
            return TemplateValues.Normalize(method.Invoke(receiver, converted));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            At(node);
            throw Fail($"error calling {name}: {e.InnerException.Message}", e.InnerException);
        }
    }

    private List<object?> EvalArgs(object? dot, List<Node>? args, object? final)
    {
        var values = new List<object?>((args?.Count ?? 1) + 1);
        if (args is not null)
            for (int i = 1; i < args.Count; i++) values.Add(EvalArg(dot, args[i]));
        if (!ReferenceEquals(final, NoFinal)) values.Add(final);
        return values;
    }

    private object? EvalArg(object? dot, Node n)
    {
        At(n);
        return n switch
        {
            DotNode => dot,
            NilNode => null,
            FieldNode f => EvalFieldNode(dot, f, [n], NoFinal),
            VariableNode v => EvalVariableNode(dot, v, null, NoFinal),
            PipeNode p => EvalPipeline(dot, p),
            IdentifierNode id => EvalFunction(dot, id, id, null, NoFinal),
            ChainNode c => EvalChainNode(dot, c, null, NoFinal),
            BoolNode b => b.Value,
            NumberNode num => Constant(num),
            StringNode s => s.Text,
            _ => throw Fail($"can't handle {n} for arg"),
        };
    }

    private object? EvalFunction(object? dot, IdentifierNode id, Node cmd, List<Node>? args, object? final)
    {
        At(id);
        string name = id.Name;
        if (_funcs.TryGet(name, out var fn))
        {
            var values = EvalArgs(dot, args, final);
            At(cmd);
            if (fn.MaxArgs < 0 ? values.Count < fn.MinArgs : values.Count < fn.MinArgs || values.Count > fn.MaxArgs)
            {
                throw fn.MaxArgs < 0
                    ? Fail($"wrong number of args for {name}: want at least {fn.MinArgs} got {values.Count}")
                    : Fail($"wrong number of args for {name}: want {fn.MaxArgs} got {values.Count}");
            }
            try
            {
                return TemplateValues.Normalize(fn.Invoke([.. values]));
            }
            catch (TemplateArgumentException e)
            {
                throw Fail(e.Message);
            }
            catch (TemplateException)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                At(cmd);
                throw Fail($"error calling {name}: {e.Message}", e);
            }
        }
        if (!TemplateFunctions.BuiltinNames.Contains(name)) throw Fail($"{GoFormat.Quote(name)} is not a defined function");
        return EvalBuiltin(dot, name, cmd, args, final);
    }

    private object? EvalBuiltin(object? dot, string name, Node cmd, List<Node>? args, object? final)
    {
        if (name is "and" or "or")
        {
            int count = (args?.Count - 1 ?? 0) + (ReferenceEquals(final, NoFinal) ? 0 : 1);
            if (count < 1)
            {
                At(cmd);
                throw Fail($"wrong number of args for {name}: want at least 1 got 0");
            }
            object? v = null;
            for (int i = 0; i < count; i++)
            {
                v = args is not null && i + 1 < args.Count ? EvalArg(dot, args[i + 1]) : final;
                bool t = TemplateValues.IsTrue(v);
                if (name == "and" ? !t : t) return v;
            }
            return v;
        }
        var values = EvalArgs(dot, args, final);
        At(cmd);
        try
        {
            return TemplateValues.Normalize(Builtins.Call(name, values));
        }
        catch (ArityException e)
        {
            throw Fail(e.Message);
        }
        catch (TemplateArgumentException e)
        {
            throw Fail(e.Message);
        }
        catch (Exception e) when (e is not TemplateException and not OperationCanceledException)
        {
            throw Fail($"error calling {name}: {e.Message}", e);
        }
    }

    private void PrintValue(Node n, object? v)
    {
        At(n);
        if (v is Delegate) throw Fail($"can't print {n} of type {v.GetType().Name}");
        if (_set.EscapeHtml)
        {
            if (v is SafeHtml safe) _out.Append(safe.Value);
            else if (v is not null) _out.Append(GoFormat.HtmlTemplateEscape(GoFormat.Print(v)));
            return;
        }
        if (v is null)
        {
            _out.Append("<no value>");
            return;
        }
        GoFormat.AppendValue(_out, v, false);
    }

    private sealed class BreakSignal : Exception
    {
        public static readonly BreakSignal Instance = new();
    }

    private sealed class ContinueSignal : Exception
    {
        public static readonly ContinueSignal Instance = new();
    }
}

internal sealed class ArityException(string message) : Exception(message);

/// <summary>Go's builtin template functions other than the lazy and/or.</summary>
internal static class Builtins
{
    public static object? Call(string name, List<object?> a)
    {
        switch (name)
        {
            case "not":
                Arity(name, a, 1);
                return !TemplateValues.IsTrue(a[0]);
            case "len":
                Arity(name, a, 1);
                return a[0] switch
                {
                    null => throw new InvalidOperationException("len of untyped nil"),
                    string s => (long)Encoding.UTF8.GetByteCount(s),
                    ICollection c => (long)c.Count,
                    _ => throw new InvalidOperationException($"len of type {GoFormat.TypeName(a[0])}"),
                };
            case "index": return Index(a);
            case "slice": return Slice(a);
            case "print": return GoFormat.Sprint(a);
            case "println": return GoFormat.Sprintln(a);
            case "printf":
                if (a.Count < 1) throw new ArityException("wrong number of args for printf: want at least 1 got 0");
                return GoFormat.Sprintf(TemplateFunctions.ArgString(a[0]), a.GetRange(1, a.Count - 1));
            case "html": return GoFormat.HtmlEscape(EvalArgsString(a));
            case "js": return GoFormat.JsEscape(EvalArgsString(a));
            case "urlquery": return GoFormat.QueryEscape(EvalArgsString(a));
            case "eq":
                if (a.Count < 1) throw new ArityException("wrong number of args for eq: want at least 1 got 0");
                return Eq(a[0], a.GetRange(1, a.Count - 1));
            case "ne":
                Arity(name, a, 2);
                return !Eq(a[0], [a[1]]);
            case "lt":
                Arity(name, a, 2);
                return Lt(a[0], a[1]);
            case "le":
                Arity(name, a, 2);
                return Lt(a[0], a[1]) || Eq(a[0], [a[1]]);
            case "gt":
                Arity(name, a, 2);
                return !Lt(a[0], a[1]) && !Eq(a[0], [a[1]]);
            case "ge":
                Arity(name, a, 2);
                return !Lt(a[0], a[1]);
            case "call":
                if (a.Count < 1) throw new ArityException("wrong number of args for call: want at least 1 got 0");
                if (a[0] is not Delegate d) throw new InvalidOperationException($"non-function of type {GoFormat.TypeName(a[0])}");
                try
                {
                    return d.DynamicInvoke(a.GetRange(1, a.Count - 1).ToArray());
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    throw e.InnerException;
                }
            default:
                throw new InvalidOperationException($"{GoFormat.Quote(name)} is not a defined function");
        }
    }

    private static void Arity(string name, List<object?> a, int want)
    {
        if (a.Count != want) throw new ArityException($"wrong number of args for {name}: want {want} got {a.Count}");
    }

    private static string EvalArgsString(List<object?> a)
    {
        if (a.Count == 1 && a[0] is string s) return s;
        var printable = new List<object?>(a.Count);
        foreach (var v in a) printable.Add(v ?? "<no value>");
        return GoFormat.Sprint(printable);
    }

    private enum Kind { Invalid, Bool, Int, Float, String, Other }

    private static Kind KindOf(object? v) => v switch
    {
        null => Kind.Invalid,
        bool => Kind.Bool,
        long => Kind.Int,
        double => Kind.Float,
        string => Kind.String,
        _ => Kind.Other,
    };

    private static bool Eq(object? a1, List<object?> rest)
    {
        if (rest.Count == 0) throw new InvalidOperationException("missing argument for comparison");
        var k1 = KindOf(a1);
        foreach (var a in rest)
        {
            var k2 = KindOf(a);
            bool truth;
            if (k1 != k2)
            {
                if (a1 is not null && a is not null) throw new InvalidOperationException("incompatible types for comparison");
                truth = false;
            }
            else
            {
                truth = k1 switch
                {
                    Kind.Invalid => true,
                    Kind.Bool => (bool)a1! == (bool)a!,
                    Kind.Int => (long)a1! == (long)a!,
                    Kind.Float => (double)a1! == (double)a!,
                    Kind.String => (string)a1! == (string)a!,
                    _ => a1 is ICollection && a1.GetType() != typeof(string)
                        ? throw new InvalidOperationException($"non-comparable type {GoFormat.Print(a1)}: {GoFormat.TypeName(a1)}")
                        : Equals(a1, a),
                };
            }
            if (truth) return true;
        }
        return false;
    }

    private static bool Lt(object? a1, object? a2)
    {
        var k1 = KindOf(a1);
        var k2 = KindOf(a2);
        if (k1 is Kind.Bool or Kind.Other or Kind.Invalid) throw new InvalidOperationException("invalid type for comparison");
        if (k1 != k2) throw new InvalidOperationException("incompatible types for comparison");
        return k1 switch
        {
            Kind.Int => (long)a1! < (long)a2!,
            Kind.Float => (double)a1! < (double)a2!,
            _ => string.CompareOrdinal((string)a1!, (string)a2!) < 0,
        };
    }

    private static object? Index(List<object?> a)
    {
        if (a.Count < 1) throw new ArityException("wrong number of args for index: want at least 1 got 0");
        var item = a[0];
        if (item is null) throw new InvalidOperationException("index of untyped nil");
        for (int i = 1; i < a.Count; i++)
        {
            var ix = a[i];
            switch (item)
            {
                case string s:
                {
                    var bytes = Encoding.UTF8.GetBytes(s);
                    int x = IndexArg(ix, bytes.Length);
                    item = (long)bytes[x];
                    break;
                }
                case IDictionary map:
                    item = ix is not null && map.Contains(ix) ? TemplateValues.Normalize(map[ix]) : TemplateValues.ZeroOfElement(map);
                    break;
                case IList list:
                    item = TemplateValues.Normalize(list[IndexArg(ix, list.Count)]);
                    break;
                default:
                    throw new InvalidOperationException($"can't index item of type {GoFormat.TypeName(item)}");
            }
        }
        return item;
    }

    private static int IndexArg(object? ix, int len)
    {
        if (ix is null) throw new InvalidOperationException("cannot index slice/array with nil");
        if (ix is not long x) throw new InvalidOperationException($"cannot index slice/array with type {GoFormat.TypeName(ix)}");
        if (x < 0 || x >= len) throw new InvalidOperationException($"index out of range: {x}");
        return (int)x;
    }

    private static object? Slice(List<object?> a)
    {
        if (a.Count < 1) throw new ArityException("wrong number of args for slice: want at least 1 got 0");
        var item = a[0];
        if (item is null) throw new InvalidOperationException("slice of untyped nil");
        if (a.Count > 4) throw new InvalidOperationException($"too many slice indexes: {a.Count - 1}");
        int len = item switch
        {
            string s => s.Length,
            IList l => l.Count,
            _ => throw new InvalidOperationException($"can't slice item of type {GoFormat.TypeName(item)}"),
        };
        if (item is string && a.Count == 4) throw new InvalidOperationException("cannot 3-index slice a string");
        var idx = new int[] { 0, len, len };
        for (int i = 1; i < a.Count; i++)
        {
            if (a[i] is not long x) throw new InvalidOperationException($"cannot index slice/array with type {GoFormat.TypeName(a[i])}");
            if (x < 0 || x > len) throw new InvalidOperationException($"index out of range: {x}");
            idx[i - 1] = (int)x;
        }
        if (idx[0] > idx[1]) throw new InvalidOperationException($"invalid slice index: {idx[0]} > {idx[1]}");
        if (item is string str) return str.Substring(idx[0], idx[1] - idx[0]);
        var list = (IList)item;
        var result = new List<object?>(idx[1] - idx[0]);
        for (int i = idx[0]; i < idx[1]; i++) result.Add(list[i]);
        return result;
    }
}
