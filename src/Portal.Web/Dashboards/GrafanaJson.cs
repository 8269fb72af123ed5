using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Web.Dashboards;

/// <summary>
/// Tolerant readers and writers over Grafana JSON. Grafana's own files carry numbers as strings
/// (<c>"max": "100"</c>), nulls for unset fields and booleans as strings in old versions; these helpers accept all of them.
/// </summary>
public static class GrafanaJson
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Parses a dashboard document; throws <see cref="DashboardImportException"/> saying where it fails.</summary>
    public static JsonObject ParseObject(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } l ? $"line {l + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "the document";
            throw new DashboardImportException($"not valid JSON at {where}: {FirstSentence(e.Message)}");
        }
        return node as JsonObject ?? throw new DashboardImportException("a dashboard must be a JSON object ({ … }) with a title and panels");
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    public static string? Str(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        if (v.TryGetValue<string>(out var s)) return s;
        if (v.TryGetValue<JsonElement>(out var e))
            return e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.Number => e.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        return v.ToJsonString().Trim('"');
    }

    public static double? Num(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        if (v.TryGetValue<double>(out var d)) return d;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<float>(out var f)) return f;
        if (v.TryGetValue<decimal>(out var m)) return (double)m;
        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number) return e.GetDouble();
        var s = Str(node);
        return s is { Length: > 0 } && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : null;
    }

    public static bool Bool(JsonNode? node, bool fallback = false)
    {
        if (node is not JsonValue v) return fallback;
        if (v.TryGetValue<bool>(out var b)) return b;
        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False) return e.GetBoolean();
        return Str(node) switch { "true" => true, "false" => false, _ => fallback };
    }

    /// <summary>The object at <paramref name="key"/> of <paramref name="parent"/>, created when missing or not an object.</summary>
    public static JsonObject Obj(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject o) return o;
        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>The array at <paramref name="key"/>, created when missing or not an array.</summary>
    public static JsonArray Arr(JsonObject parent, string key)
    {
        if (parent[key] is JsonArray a) return a;
        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    /// <summary>Sets <paramref name="key"/>, or removes it when <paramref name="value"/> is null.</summary>
    public static void Set(JsonObject o, string key, JsonNode? value)
    {
        if (value is null) o.Remove(key);
        else o[key] = value;
    }

    /// <summary>Deep equality of two JSON trees, numbers compared by value and object members in any order.</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}

/// <summary>A dashboard document that cannot be imported; the message says where and why.</summary>
public sealed class DashboardImportException(string message) : Exception(message);
