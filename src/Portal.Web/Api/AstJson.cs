using System.Text.Json;
using Portal.Model;
using MatchType = Portal.Model.MatchType;
using Portal.PromQL.Ast;
using ValueType = Portal.PromQL.Ast.ValueType;

namespace Portal.Web.Api;

/// <summary>
/// Writes a parsed PromQL expression as the JSON tree Prometheus's <c>/api/v1/parse_query</c> returns (the shape its
/// UI's tree view reads): one object per node with a <c>type</c> and the node's fields; durations in milliseconds,
/// absent @ and matching as null, empty lists as []. Thread-safe (stateless).
/// </summary>
public static class AstJson
{
    public static void Write(Utf8JsonWriter w, Expr? e)
    {
        switch (e)
        {
            case null:
                w.WriteNullValue();
                return;
            case AggregateExpr a:
                w.WriteStartObject();
                w.WriteString("type", "aggregation");
                w.WriteString("op", a.Op.ToText());
                w.WritePropertyName("expr");
                Write(w, a.Expr);
                w.WritePropertyName("param");
                Write(w, a.Param);
                Strings(w, "grouping", a.Grouping);
                w.WriteBoolean("without", a.Without);
                w.WriteEndObject();
                return;
            case BinaryExpr b:
                w.WriteStartObject();
                w.WriteString("type", "binaryExpr");
                w.WriteString("op", b.Op.ToText());
                w.WritePropertyName("lhs");
                Write(w, b.LHS);
                w.WritePropertyName("rhs");
                Write(w, b.RHS);
                if (b.VectorMatching is { } m)
                {
                    w.WriteStartObject("matching");
                    w.WriteString("card", Card(m.Card));
                    Strings(w, "labels", m.MatchingLabels);
                    w.WriteBoolean("on", m.On);
                    Strings(w, "include", m.Include);
                    w.WriteEndObject();
                }
                else w.WriteNull("matching");
                w.WriteBoolean("bool", b.ReturnBool);
                w.WriteEndObject();
                return;
            case Call c:
                w.WriteStartObject();
                w.WriteString("type", "call");
                w.WriteStartObject("func");
                w.WriteString("name", c.Func.Name);
                w.WriteStartArray("argTypes");
                foreach (var t in c.Func.ArgTypes) w.WriteStringValue(TypeName(t));
                w.WriteEndArray();
                w.WriteNumber("variadic", c.Func.Variadic);
                w.WriteString("returnType", TypeName(c.Func.ReturnType));
                w.WriteEndObject();
                w.WriteStartArray("args");
                foreach (var arg in c.Args) Write(w, arg);
                w.WriteEndArray();
                w.WriteEndObject();
                return;
            case MatrixSelector ms:
                w.WriteStartObject();
                w.WriteString("type", "matrixSelector");
                w.WriteString("name", ms.VectorSelector.Name);
                w.WriteNumber("range", ms.Range);
                w.WriteNumber("offset", ms.VectorSelector.OriginalOffset);
                Matchers(w, ms.VectorSelector.LabelMatchers);
                At(w, ms.VectorSelector.Timestamp, ms.VectorSelector.StartOrEnd);
                w.WriteEndObject();
                return;
            case SubqueryExpr sq:
                w.WriteStartObject();
                w.WriteString("type", "subquery");
                w.WritePropertyName("expr");
                Write(w, sq.Expr);
                w.WriteNumber("range", sq.Range);
                w.WriteNumber("offset", sq.OriginalOffset);
                w.WriteNumber("step", sq.Step);
                At(w, sq.Timestamp, sq.StartOrEnd);
                w.WriteEndObject();
                return;
            case NumberLiteral n:
                w.WriteStartObject();
                w.WriteString("type", "numberLiteral");
                w.WriteString("val", PromFormat.Value(n.Val));
                w.WriteEndObject();
                return;
            case ParenExpr p:
                w.WriteStartObject();
                w.WriteString("type", "parenExpr");
                w.WritePropertyName("expr");
                Write(w, p.Expr);
                w.WriteEndObject();
                return;
            case StringLiteral s:
                w.WriteStartObject();
                w.WriteString("type", "stringLiteral");
                w.WriteString("val", s.Val);
                w.WriteEndObject();
                return;
            case UnaryExpr u:
                w.WriteStartObject();
                w.WriteString("type", "unaryExpr");
                w.WriteString("op", u.Op.ToText());
                w.WritePropertyName("expr");
                Write(w, u.Expr);
                w.WriteEndObject();
                return;
            case VectorSelector vs:
                w.WriteStartObject();
                w.WriteString("type", "vectorSelector");
                w.WriteString("name", vs.Name);
                w.WriteNumber("offset", vs.OriginalOffset);
                Matchers(w, vs.LabelMatchers);
                At(w, vs.Timestamp, vs.StartOrEnd);
                w.WriteEndObject();
                return;
            case StepInvariantExpr si:
                Write(w, si.Expr);
                return;
            default:
                throw new ArgumentException($"no JSON form for a {e.GetType().Name}");
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Matchers(Utf8JsonWriter w, IEnumerable<Matcher> matchers)
    {
        w.WriteStartArray("matchers");
        foreach (var m in matchers)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteString("type", m.Type switch
            {
                MatchType.Equal => "=",
                MatchType.NotEqual => "!=",
                MatchType.Regex => "=~",
                _ => "!~",
            });
            w.WriteString("value", m.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void At(Utf8JsonWriter w, long? timestamp, AtModifier startOrEnd)
    {
        if (timestamp is { } t && startOrEnd == AtModifier.None) w.WriteNumber("timestamp", t);
        else w.WriteNull("timestamp");
        if (startOrEnd == AtModifier.None) w.WriteNull("startOrEnd");
        else w.WriteString("startOrEnd", startOrEnd == AtModifier.Start ? "start" : "end");
    }

    private static string Card(VectorMatchCardinality c) => c switch
    {
        VectorMatchCardinality.OneToOne => "one-to-one",
        VectorMatchCardinality.ManyToOne => "many-to-one",
        VectorMatchCardinality.OneToMany => "one-to-many",
        _ => "many-to-many",
    };

    /// <summary>Go's <c>parser.ValueType</c> names.</summary>
    private static string TypeName(ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.Vector => "vector",
        ValueType.Matrix => "matrix",
        ValueType.String => "string",
        _ => "none",
    };
}
