using System.Text.Json;
using Portal.Model;
using YamlDotNet.RepresentationModel;

namespace Portal.Ingest.Discovery;

/// <summary>
/// Reads the target-group list format of file_sd and http_sd: a list of objects with <c>targets</c> (strings) and
/// optional <c>labels</c> (string map), as JSON or YAML. Thread-safe (no state).
/// </summary>
public static class TargetGroupParser
{
    /// <summary>Parses JSON. <paramref name="sourcePrefix"/> + ":" + index names each group. Throws <see cref="FormatException"/> with the reason.</summary>
    public static List<TargetGroup> ParseJson(string json, string sourcePrefix, Labels extra)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"invalid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException("expected a JSON array of target groups");
            var groups = new List<TargetGroup>();
            int i = 0;
            foreach (var g in doc.RootElement.EnumerateArray())
            {
                if (g.ValueKind != JsonValueKind.Object) throw new FormatException($"target group {i} is not an object");
                var targets = new List<Labels>();
                if (g.TryGetProperty("targets", out var ts))
                {
                    if (ts.ValueKind != JsonValueKind.Array) throw new FormatException($"target group {i}: targets must be a list");
                    foreach (var t in ts.EnumerateArray())
                    {
                        if (t.ValueKind != JsonValueKind.String) throw new FormatException($"target group {i}: targets must be strings");
                        targets.Add(Labels.FromStrings(TargetGroup.AddressLabel, t.GetString()!));
                    }
                }
                var lb = new LabelsBuilder(extra);
                if (g.TryGetProperty("labels", out var ls) && ls.ValueKind != JsonValueKind.Null)
                {
                    if (ls.ValueKind != JsonValueKind.Object) throw new FormatException($"target group {i}: labels must be a map");
                    foreach (var p in ls.EnumerateObject())
                    {
                        if (p.Value.ValueKind != JsonValueKind.String) throw new FormatException($"target group {i}: label {p.Name} must be a string");
                        CheckLabel(i, p.Name, p.Value.GetString()!);
                        lb.Set(p.Name, p.Value.GetString()!);
                    }
                }
                groups.Add(new TargetGroup($"{sourcePrefix}:{i}", targets, lb.Build()));
                i++;
            }
            return groups;
        }
    }

    /// <summary>Parses YAML (a list of groups). Throws <see cref="FormatException"/> with the reason.</summary>
    public static List<TargetGroup> ParseYaml(string yaml, string sourcePrefix, Labels extra)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"invalid YAML at line {e.Start.Line}: {e.Message}");
        }
        var groups = new List<TargetGroup>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" }) return groups;
        if (stream.Documents[0].RootNode is not YamlSequenceNode seq) throw new FormatException("expected a YAML list of target groups");
        int i = 0;
        foreach (var node in seq)
        {
            if (node is not YamlMappingNode map) throw new FormatException($"target group {i} is not a mapping");
            var targets = new List<Labels>();
            var lb = new LabelsBuilder(extra);
            foreach (var (k, v) in map.Children)
            {
                var key = (k as YamlScalarNode)?.Value;
                if (key == "targets")
                {
                    if (v is YamlScalarNode { Value: null or "" }) continue;
                    if (v is not YamlSequenceNode ts) throw new FormatException($"target group {i}: targets must be a list");
                    foreach (var t in ts)
                        targets.Add(Labels.FromStrings(TargetGroup.AddressLabel, (t as YamlScalarNode)?.Value ?? throw new FormatException($"target group {i}: targets must be strings")));
                }
                else if (key == "labels")
                {
                    if (v is YamlScalarNode { Value: null or "" }) continue;
                    if (v is not YamlMappingNode ls) throw new FormatException($"target group {i}: labels must be a map");
                    foreach (var (lk, lv) in ls.Children)
                    {
                        var name = (lk as YamlScalarNode)?.Value ?? "";
                        var value = (lv as YamlScalarNode)?.Value ?? throw new FormatException($"target group {i}: label {name} must be a string");
                        CheckLabel(i, name, value);
                        lb.Set(name, value);
                    }
                }
                else throw new FormatException($"target group {i}: unknown field \"{key}\"");
            }
            groups.Add(new TargetGroup($"{sourcePrefix}:{i}", targets, lb.Build()));
            i++;
        }
        return groups;
    }

    private static void CheckLabel(int group, string name, string value)
    {
        if (!LabelNames.IsValidUtf8Name(name)) throw new FormatException($"target group {group}: \"{name}\" is not a valid label name");
        if (value.Length > 0 && !LabelNames.IsValidUtf8Name(value)) throw new FormatException($"target group {group}: \"{value}\" is not a valid label value");
    }
}
