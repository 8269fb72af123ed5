using System.Text;

namespace Portal.Rules.Templates;

/// <summary>A node of a parsed template. Immutable after parsing; <see cref="Pos"/> is its offset in the source.</summary>
internal abstract class Node(int pos)
{
    public int Pos { get; } = pos;
}

internal sealed class ListNode(int pos) : Node(pos)
{
    public List<Node> Nodes { get; } = [];

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var n in Nodes) sb.Append(n);
        return sb.ToString();
    }
}

internal sealed class TextNode(int pos, string text) : Node(pos)
{
    public string Text { get; } = text;
    public override string ToString() => Text;
}

internal sealed class CommentNode(int pos) : Node(pos);

/// <summary>A pipeline: optional variable declarations/assignment, then commands joined by '|'.</summary>
internal sealed class PipeNode(int pos, bool isAssign, List<VariableNode> decl) : Node(pos)
{
    public bool IsAssign { get; } = isAssign;
    public List<VariableNode> Decl { get; } = decl;
    public List<CommandNode> Cmds { get; } = [];

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Decl.Count > 0)
        {
            for (int i = 0; i < Decl.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(Decl[i]);
            }
            sb.Append(IsAssign ? " = " : " := ");
        }
        for (int i = 0; i < Cmds.Count; i++)
        {
            if (i > 0) sb.Append(" | ");
            sb.Append(Cmds[i]);
        }
        return sb.ToString();
    }
}

internal sealed class ActionNode(int pos, PipeNode pipe) : Node(pos)
{
    public PipeNode Pipe { get; } = pipe;
    public override string ToString() => "{{" + Pipe + "}}";
}

internal sealed class CommandNode(int pos) : Node(pos)
{
    public List<Node> Args { get; } = [];

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Args.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            if (Args[i] is PipeNode p) sb.Append('(').Append(p).Append(')');
            else sb.Append(Args[i]);
        }
        return sb.ToString();
    }
}

internal sealed class IdentifierNode(int pos, string name) : Node(pos)
{
    public string Name { get; } = name;
    public override string ToString() => Name;
}

/// <summary>A variable with an optional field chain: <c>$x.A.B</c> is Ident ["$x", "A", "B"].</summary>
internal sealed class VariableNode(int pos, string[] ident) : Node(pos)
{
    public string[] Ident { get; } = ident;
    public override string ToString() => string.Join('.', Ident);
}

internal sealed class DotNode(int pos) : Node(pos)
{
    public override string ToString() => ".";
}

internal sealed class NilNode(int pos) : Node(pos)
{
    public override string ToString() => "nil";
}

/// <summary>A field chain on dot: <c>.A.B</c> is Ident ["A", "B"].</summary>
internal sealed class FieldNode(int pos, string[] ident) : Node(pos)
{
    public string[] Ident { get; } = ident;
    public override string ToString() => "." + string.Join('.', Ident);
}

/// <summary>A term followed by fields: <c>(pipe).A.B</c>.</summary>
internal sealed class ChainNode(int pos, Node node) : Node(pos)
{
    public Node Node { get; } = node;
    public List<string> Fields { get; } = [];

    public override string ToString()
    {
        var s = Node is PipeNode ? "(" + Node + ")" : Node.ToString() ?? "";
        foreach (var f in Fields) s += "." + f;
        return s;
    }
}

internal sealed class BoolNode(int pos, bool value) : Node(pos)
{
    public bool Value { get; } = value;
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>A numeric constant: integer when it has an exact integer value and no float syntax, else float.</summary>
internal sealed class NumberNode(int pos, string text, bool isInt, long intValue, double floatValue) : Node(pos)
{
    public string Text { get; } = text;
    public bool IsInt { get; } = isInt;
    public long IntValue { get; } = intValue;
    public double FloatValue { get; } = floatValue;
    public override string ToString() => Text;
}

internal sealed class StringNode(int pos, string quoted, string text) : Node(pos)
{
    public string Quoted { get; } = quoted;
    public string Text { get; } = text;
    public override string ToString() => Quoted;
}

internal enum BranchKind { If, Range, With }

/// <summary>if/range/with: pipeline, list, optional else list.</summary>
internal sealed class BranchNode(int pos, BranchKind kind, PipeNode pipe, ListNode list, ListNode? elseList) : Node(pos)
{
    public BranchKind Kind { get; } = kind;
    public PipeNode Pipe { get; } = pipe;
    public ListNode List { get; } = list;
    public ListNode? ElseList { get; } = elseList;
}

internal sealed class BreakNode(int pos) : Node(pos);

internal sealed class ContinueNode(int pos) : Node(pos);

internal sealed class TemplateNode(int pos, string name, PipeNode? pipe) : Node(pos)
{
    public string Name { get; } = name;
    public PipeNode? Pipe { get; } = pipe;
    public override string ToString() => Pipe is null ? $"{{{{template {GoFormat.Quote(Name)}}}}}" : $"{{{{template {GoFormat.Quote(Name)} {Pipe}}}}}";
}

/// <summary>A named parse tree: one template's body and the source it came from (for error positions).</summary>
internal sealed class ParseTree(string name, ListNode root, string source, string parseName)
{
    public string Name { get; } = name;
    public ListNode Root { get; } = root;
    public string Source { get; } = source;

    /// <summary>The name of the top-level template whose text held this tree (Go's ParseName), used in error positions.</summary>
    public string ParseName { get; } = parseName;

    /// <summary>True when the body holds only whitespace text and comments (Go's IsEmptyTree).</summary>
    public bool IsEmpty
    {
        get
        {
            foreach (var n in Root.Nodes)
            {
                if (n is CommentNode) continue;
                if (n is TextNode t && string.IsNullOrWhiteSpace(t.Text)) continue;
                return false;
            }
            return true;
        }
    }
}
