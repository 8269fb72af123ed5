using System.Text;
using Portal.Model;

namespace Portal.Ingest.Pushgateway;

/// <summary>
/// The grouping key of a Pushgateway URL, <c>/metrics/job/&lt;job&gt;{/&lt;label&gt;/&lt;value&gt;}</c>, where a name suffixed
/// with <c>@base64</c> takes a URL-safe base64 value (padding optional; <c>=</c> alone is the empty value).
/// </summary>
public static class GroupingKey
{
    private const string Base64Suffix = "@base64";

    /// <summary>
    /// Parses the path after <c>/metrics/</c> (e.g. <c>job/batch/instance/a</c>; segments still percent-encoded).
    /// Returns the key as labels (empty values dropped, as Prometheus treats them as absent), or null with the reason.
    /// </summary>
    public static Labels? Parse(string path, out string? error)
    {
        error = null;
        var segments = path.Trim('/').Split('/');
        if (segments.Length < 2 || segments.Length % 2 != 0)
        {
            error = $"invalid grouping key path \"/metrics/{path.Trim('/')}\": expected /metrics/job/<job>{{/<label>/<value>}}";
            return null;
        }
        var b = new LabelsBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < segments.Length; i += 2)
        {
            var name = Uri.UnescapeDataString(segments[i]);
            var raw = Uri.UnescapeDataString(segments[i + 1]);
            string value;
            if (name.EndsWith(Base64Suffix, StringComparison.Ordinal))
            {
                name = name[..^Base64Suffix.Length];
                if (!TryDecodeBase64Url(raw, out value))
                {
                    error = $"invalid base64 encoding in label value for \"{name}\": {raw}";
                    return null;
                }
            }
            else value = raw;
            if (i == 0 && name != "job")
            {
                error = "grouping key path must start with /metrics/job/";
                return null;
            }
            if (!LabelNames.IsValidUtf8Name(name) || name.StartsWith("__", StringComparison.Ordinal))
            {
                error = $"invalid label name \"{name}\" in grouping key";
                return null;
            }
            if (!seen.Add(name))
            {
                error = $"duplicate label name \"{name}\" in grouping key";
                return null;
            }
            if (i == 0 && value.Length == 0)
            {
                error = "job name is required";
                return null;
            }
            b.Set(name, value);
        }
        return b.Build();
    }

    /// <summary>Decodes RFC 4648 URL-safe base64 with or without padding; "=" alone is the empty string.</summary>
    public static bool TryDecodeBase64Url(string s, out string value)
    {
        value = "";
        var t = s.TrimEnd('=').Replace('-', '+').Replace('_', '/');
        if (t.Length % 4 == 1) return false;
        t = t.PadRight(t.Length + (4 - t.Length % 4) % 4, '=');
        try
        {
            var bytes = Convert.FromBase64String(t);
            value = new UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The URL path (after <c>/metrics/</c>) for a key, base64-encoding values that need it.</summary>
    public static string ToPath(Labels key)
    {
        var sb = new StringBuilder();
        sb.Append("job");
        AppendValue(sb, key.Get("job"));
        foreach (var l in key)
        {
            if (l.Name == "job") continue;
            sb.Append('/').Append(Uri.EscapeDataString(l.Name));
            AppendValue(sb, l.Value);
        }
        return sb.ToString();

        static void AppendValue(StringBuilder sb, string v)
        {
            if (v.Length == 0 || v.Contains('/'))
                sb.Append("@base64/").Append(v.Length == 0 ? "=" : Convert.ToBase64String(Encoding.UTF8.GetBytes(v)).Replace('+', '-').Replace('/', '_'));
            else sb.Append('/').Append(Uri.EscapeDataString(v));
        }
    }
}
