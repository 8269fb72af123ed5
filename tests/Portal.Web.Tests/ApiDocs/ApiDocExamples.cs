using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Portal.Web.Tests.ApiDocs;

/// <summary>
/// One request documented in Prometheus's HTTP API page (docs/querying/api.md): the curl command turned into a
/// method, path and parameters, and the JSON response printed after it (null when the page shows none).
/// </summary>
public sealed record ApiDocExample(string Section, int Line, string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Parameters,
    bool ParametersInBody, JsonElement? Response)
{
    public override string ToString() => $"{Method} {Path} (api.md line {Line}, \"{Section}\")";
}

/// <summary>Reads the curl examples and their responses out of api.md.</summary>
public static class ApiDocExamples
{
    public static string? Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        if (dir is null) return null;
        var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "upstream", "prometheus", "docs", "querying", "api.md"));
        return File.Exists(path) ? path : null;
    }

    /// <summary>
    /// Every ```bash block holding a curl command, paired with the ```json block that follows it when no other
    /// command or heading comes between them.
    /// </summary>
    public static List<ApiDocExample> Parse(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var examples = new List<ApiDocExample>();
        string section = "";
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#')) section = lines[i].TrimStart('#', ' ');
            if (lines[i].Trim() != "```bash") continue;
            int start = i + 1, end = start;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            var command = string.Join("\n", lines[start..end]).Replace("\\\n", " ");
            i = end;
            if (!command.TrimStart().StartsWith("curl", StringComparison.Ordinal)) continue;
            JsonElement? response = null;
            for (int j = end + 1; j < lines.Length; j++)
            {
                var t = lines[j].Trim();
                if (t.StartsWith('#') || t == "```bash") break;
                if (t != "```json") continue;
                int jEnd = j + 1;
                while (jEnd < lines.Length && lines[jEnd].Trim() != "```") jEnd++;
                // Elisions ("...") stand for more of the same; dropping them leaves valid JSON (trailing commas allowed).
                var json = string.Join("\n", lines[(j + 1)..jEnd].Where(l => l.Trim().TrimEnd(',') is not ("..." or "…")));
                // Streaming endpoints show several values, one per line; the first one stands for them.
                var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json),
                    new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowMultipleValues = true });
                using (var doc = JsonDocument.ParseValue(ref reader)) response = doc.RootElement.Clone();
                break;
            }
            examples.Add(FromCurl(section, start + 1, command, response));
        }
        return examples;
    }

    private static ApiDocExample FromCurl(string section, int line, string command, JsonElement? response)
    {
        var words = Words(command);
        string method = "GET";
        bool dataAsQuery = false;
        string? url = null;
        var data = new List<KeyValuePair<string, string>>();
        for (int i = 1; i < words.Count; i++)
        {
            var w = words[i];
            if (w == "-X" || w == "--request") method = words[++i];
            else if (w.StartsWith("-X", StringComparison.Ordinal) && w.Length > 2) method = w[2..];
            else if (w == "-G" || w == "--get") dataAsQuery = true;
            else if (w is "--data-urlencode" or "-d" or "--data") data.Add(Pair(words[++i]));
            else if (!w.StartsWith('-')) url ??= w;
        }
        if (url is null) throw new FormatException($"api.md line {line}: no URL in \"{command}\"");
        int slash = url.IndexOf("/api/", StringComparison.Ordinal);
        var pathAndQuery = url[slash..];
        var query = new List<KeyValuePair<string, string>>();
        int q = pathAndQuery.IndexOf('?');
        var path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        if (q >= 0)
            foreach (var part in pathAndQuery[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                query.Add(Pair(part));
        bool inBody = data.Count > 0 && !dataAsQuery;
        if (inBody && method == "GET") method = "POST";
        query.AddRange(data);
        return new ApiDocExample(section, line, method, path, query, inBody, response);
    }

    private static KeyValuePair<string, string> Pair(string s)
    {
        int eq = s.IndexOf('=');
        return eq < 0 ? new(s, "") : new(s[..eq], s[(eq + 1)..]);
    }

    /// <summary>Splits a shell command into words, honouring single and double quotes.</summary>
    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        bool any = false;
        char quote = '\0';
        foreach (char c in command)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else sb.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || sb.Length > 0) words.Add(sb.ToString());
                sb.Clear();
                any = false;
            }
            else sb.Append(c);
        }
        if (any || sb.Length > 0) words.Add(sb.ToString());
        return words;
    }

    /// <summary>
    /// Moves the example's RFC 3339 time, start and end parameters so the latest of them is <paramref name="now"/>,
    /// keeping their spacing: the documented queries then ask about data a test has just written.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ShiftTimes(IReadOnlyList<KeyValuePair<string, string>> ps, DateTimeOffset now)
    {
        DateTimeOffset? latest = null;
        foreach (var (k, v) in ps)
            if (k is "time" or "start" or "end" && DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                latest = latest is null || t > latest ? t : latest;
        if (latest is null) return ps;
        var shift = now - latest.Value;
        return ps.Select(p => p.Key is "time" or "start" or "end" && DateTimeOffset.TryParse(p.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? new KeyValuePair<string, string>(p.Key, (t + shift).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            : p).ToList();
    }
}

/// <summary>
/// Compares a response with a documented one by shape: every field the documentation shows is present with the
/// same JSON kind, recursively; array elements are compared with ours at the same index (or our last one).
/// Objects whose keys are data (label sets, annotations, maps keyed by metric or flag name) are only checked to be
/// objects of strings, or of the documented value shape.
/// </summary>
public static class JsonShape
{
    /// <summary>Fields whose value is a label set or another map with data as keys.</summary>
    private static readonly HashSet<string> MapFields = new(StringComparer.Ordinal)
    {
        "metric", "labels", "discoveredLabels", "target", "annotations", "seriesLabels",
    };

    public static List<string> Differences(JsonElement documented, JsonElement actual, bool dataIsMap = false)
    {
        var diffs = new List<string>();
        Compare(documented, actual, "$", diffs, dataIsMap);
        return diffs;
    }

    private static void Compare(JsonElement doc, JsonElement act, string path, List<string> diffs, bool dataIsMap)
    {
        if (!SameKind(doc.ValueKind, act.ValueKind))
        {
            diffs.Add($"{path}: documented {doc.ValueKind}, got {act.ValueKind}");
            return;
        }
        switch (doc.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in doc.EnumerateObject())
                {
                    var sub = $"{path}.{p.Name}";
                    if (!act.TryGetProperty(p.Name, out var a))
                    {
                        diffs.Add($"{sub}: documented, missing here");
                        continue;
                    }
                    if (MapFields.Contains(p.Name) || (dataIsMap && path == "$" && p.Name == "data")) CompareMap(p.Value, a, sub, diffs);
                    else Compare(p.Value, a, sub, diffs, false);
                }
                break;
            case JsonValueKind.Array:
                int n = doc.GetArrayLength(), m = act.GetArrayLength();
                if (n > 0 && m == 0)
                {
                    diffs.Add($"{path}: documented {n} element(s), got none to compare");
                    return;
                }
                for (int i = 0; i < n; i++) Compare(doc[i], act[Math.Min(i, m - 1)], $"{path}[{i}]", diffs, false);
                break;
            case JsonValueKind.String:
                // Fixed vocabulary values must agree.
                if (path.EndsWith(".status", StringComparison.Ordinal) || path.EndsWith(".resultType", StringComparison.Ordinal))
                    if (doc.GetString() != act.GetString()) diffs.Add($"{path}: documented \"{doc.GetString()}\", got \"{act.GetString()}\"");
                break;
        }
    }

    /// <summary>Keys are data: every value must have the shape of the documented values.</summary>
    private static void CompareMap(JsonElement doc, JsonElement act, string path, List<string> diffs)
    {
        if (doc.ValueKind != JsonValueKind.Object || act.ValueKind != JsonValueKind.Object)
        {
            Compare(doc, act, path, diffs, false);
            return;
        }
        var docValues = doc.EnumerateObject().Select(p => p.Value).ToList();
        var actual = act.EnumerateObject().ToList();
        if (docValues.Count > 0 && actual.Count == 0)
        {
            diffs.Add($"{path}: documented {docValues.Count} entries, got none to compare");
            return;
        }
        if (docValues.Count == 0) return;
        foreach (var a in actual) Compare(docValues[0], a.Value, $"{path}.{a.Name}", diffs, false);
    }

    private static bool SameKind(JsonValueKind a, JsonValueKind b) =>
        a == b || (a is JsonValueKind.True or JsonValueKind.False && b is JsonValueKind.True or JsonValueKind.False);
}
