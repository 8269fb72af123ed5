using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portal.Config.Prometheus;

/// <summary>
/// A scrape job simple enough to edit in a form: static targets, interval, timeout, path, scheme, basic or
/// authorization header auth, TLS settings and extra target labels. Empty strings mean "not set".
/// </summary>
public sealed class SimpleScrapeJob
{
    public string JobName { get; set; } = "";

    /// <summary>Targets as <c>host:port</c>, one per entry.</summary>
    public List<string> Targets { get; set; } = [];
    public string ScrapeInterval { get; set; } = "";
    public string ScrapeTimeout { get; set; } = "";
    public string MetricsPath { get; set; } = "";

    /// <summary>"http" or "https"; empty = http.</summary>
    public string Scheme { get; set; } = "";
    public string BasicAuthUsername { get; set; } = "";
    public string BasicAuthPassword { get; set; } = "";
    public string BearerToken { get; set; } = "";
    public string TlsCa { get; set; } = "";
    public string TlsCert { get; set; } = "";
    public string TlsKey { get; set; } = "";
    public string TlsServerName { get; set; } = "";
    public bool TlsInsecureSkipVerify { get; set; }

    /// <summary>Labels added to every target of the job.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Where a job sits in a prometheus.yml: its name, its text span, and whether the form can edit it.</summary>
/// <param name="Start">Offset of the start of the line holding the item's dash.</param>
/// <param name="End">Offset just after the line holding the item's last value.</param>
/// <param name="FormEditable">True when every key of the job is one <see cref="SimpleScrapeJob"/> represents.</param>
public sealed record ScrapeJobSpan(string JobName, int Start, int End, bool FormEditable);

/// <summary>
/// Adds, replaces and removes jobs in the text of a prometheus.yml, keeping everything else (comments, order,
/// formatting) as the user wrote it. Works on text and returns text; validating the result is the caller's job
/// (the whole file goes through <see cref="PrometheusConfigLoader"/> before it is applied). Thread-safe.
/// </summary>
public static class ScrapeJobEditor
{
    private static readonly HashSet<string> FormKeys = new(StringComparer.Ordinal)
    {
        "job_name", "static_configs", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "basic_auth",
        "authorization", "tls_config",
    };

    private static readonly HashSet<string> FormStaticKeys = new(StringComparer.Ordinal) { "targets", "labels" };
    private static readonly HashSet<string> FormBasicAuthKeys = new(StringComparer.Ordinal) { "username", "password" };
    private static readonly HashSet<string> FormAuthorizationKeys = new(StringComparer.Ordinal) { "type", "credentials" };
    private static readonly HashSet<string> FormTlsKeys = new(StringComparer.Ordinal) { "ca", "cert", "key", "server_name", "insecure_skip_verify" };

    /// <summary>The jobs of <c>scrape_configs</c> in file order. Throws <see cref="YamlException"/> on a YAML syntax error.</summary>
    public static IReadOnlyList<ScrapeJobSpan> FindJobs(string yaml) => Scan(yaml).Jobs;

    /// <summary>Appends <paramref name="job"/> to <c>scrape_configs</c> (creating the section when missing).</summary>
    public static string AddJob(string yaml, SimpleScrapeJob job)
    {
        var scan = Scan(yaml);
        if (scan.Jobs.Count > 0)
        {
            var last = scan.Jobs[^1];
            int indent = IndentOf(yaml, last.Start);
            return yaml[..last.End] + EnsureNewline(yaml[..last.End]) + Render(job, indent) + yaml[last.End..];
        }
        if (scan.SectionKeyStart >= 0)
        {
            // "scrape_configs:" with no items, null or "[]": replace the value with a block sequence.
            int lineEnd = LineEnd(yaml, scan.SectionValueEnd);
            return yaml[..scan.SectionKeyStart] + "scrape_configs:\n" + Render(job, 2) + yaml[lineEnd..];
        }
        var head = yaml.Length == 0 || yaml.EndsWith('\n') ? yaml : yaml + "\n";
        return head + "scrape_configs:\n" + Render(job, 2);
    }

    /// <summary>Replaces the job named <paramref name="jobName"/> with <paramref name="job"/>, in place.</summary>
    public static string ReplaceJob(string yaml, string jobName, SimpleScrapeJob job)
    {
        var span = Find(yaml, jobName);
        return yaml[..span.Start] + Render(job, IndentOf(yaml, span.Start)) + yaml[span.End..];
    }

    /// <summary>Removes the job named <paramref name="jobName"/>; an emptied section is left as <c>scrape_configs: []</c>.</summary>
    public static string RemoveJob(string yaml, string jobName)
    {
        var scan = Scan(yaml);
        var span = scan.Jobs.FirstOrDefault(j => j.JobName == jobName) ?? throw new KeyNotFoundException($"no job named \"{jobName}\"");
        if (scan.Jobs.Count == 1)
        {
            int lineEnd = LineEnd(yaml, scan.SectionValueEnd);
            return yaml[..scan.SectionKeyStart] + "scrape_configs: []\n" + yaml[Math.Max(lineEnd, span.End)..];
        }
        return yaml[..span.Start] + yaml[span.End..];
    }

    /// <summary>Reads a form-editable job back into a <see cref="SimpleScrapeJob"/> (values as written, not inherited).</summary>
    public static SimpleScrapeJob Read(ScrapeConfig sc)
    {
        var job = new SimpleScrapeJob
        {
            JobName = sc.JobName ?? "",
            ScrapeInterval = sc.IsSet("scrape_interval") ? sc.ScrapeInterval.ToString() : "",
            ScrapeTimeout = sc.IsSet("scrape_timeout") ? sc.ScrapeTimeout.ToString() : "",
            MetricsPath = sc.IsSet("metrics_path") ? sc.MetricsPath ?? "" : "",
            Scheme = sc.IsSet("scheme") ? sc.Scheme ?? "" : "",
        };
        foreach (var st in sc.ServiceDiscovery.All().OfType<StaticConfig>())
        {
            job.Targets.AddRange(st.Targets ?? []);
            foreach (var (k, v) in st.Labels ?? []) job.Labels[k] = v;
        }
        var http = sc.HttpClientConfig;
        job.BasicAuthUsername = http.BasicAuth?.Username ?? "";
        job.BasicAuthPassword = http.BasicAuth?.Password?.Value ?? "";
        job.BearerToken = http.Authorization?.Credentials?.Value ?? "";
        if (http.TlsConfig is { } tls)
        {
            job.TlsCa = tls.Ca ?? "";
            job.TlsCert = tls.Cert ?? "";
            job.TlsKey = tls.Key?.Value ?? "";
            job.TlsServerName = tls.ServerName ?? "";
            job.TlsInsecureSkipVerify = tls.InsecureSkipVerify;
        }
        return job;
    }

    /// <summary>The job as a YAML sequence item whose dash sits at column <paramref name="indent"/> (0-based), ending in a newline.</summary>
    public static string Render(SimpleScrapeJob job, int indent)
    {
        var sb = new StringBuilder();
        var pad = new string(' ', indent + 2);
        sb.Append(' ', indent).Append("- job_name: ").Append(Quote(job.JobName)).Append('\n');
        void Line(string key, string value, int extra = 0)
        {
            if (value.Length == 0) return;
            sb.Append(pad).Append(' ', extra).Append(key).Append(": ").Append(Quote(value)).Append('\n');
        }
        Line("scrape_interval", job.ScrapeInterval);
        Line("scrape_timeout", job.ScrapeTimeout);
        Line("metrics_path", job.MetricsPath);
        Line("scheme", job.Scheme);
        if (job.BasicAuthUsername.Length > 0 || job.BasicAuthPassword.Length > 0)
        {
            sb.Append(pad).Append("basic_auth:\n");
            Line("username", job.BasicAuthUsername, 2);
            Line("password", job.BasicAuthPassword, 2);
        }
        if (job.BearerToken.Length > 0)
        {
            sb.Append(pad).Append("authorization:\n");
            Line("credentials", job.BearerToken, 2);
        }
        if (job.TlsCa.Length > 0 || job.TlsCert.Length > 0 || job.TlsKey.Length > 0 || job.TlsServerName.Length > 0 || job.TlsInsecureSkipVerify)
        {
            sb.Append(pad).Append("tls_config:\n");
            Block("ca", job.TlsCa);
            Block("cert", job.TlsCert);
            Block("key", job.TlsKey);
            Line("server_name", job.TlsServerName, 2);
            if (job.TlsInsecureSkipVerify) sb.Append(pad).Append("  insecure_skip_verify: true\n");
        }
        sb.Append(pad).Append("static_configs:\n");
        sb.Append(pad).Append("  - targets:\n");
        foreach (var t in job.Targets) sb.Append(pad).Append("      - ").Append(Quote(t)).Append('\n');
        if (job.Labels.Count > 0)
        {
            sb.Append(pad).Append("    labels:\n");
            foreach (var (k, v) in job.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append(pad).Append("      ").Append(Quote(k)).Append(": ").Append(Quote(v)).Append('\n');
        }
        return sb.ToString();

        void Block(string key, string value)
        {
            if (value.Length == 0) return;
            // PEM blocks keep their line breaks as a literal block scalar.
            sb.Append(pad).Append("  ").Append(key).Append(": |\n");
            foreach (var l in value.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
                sb.Append(pad).Append("    ").Append(l).Append('\n');
        }
    }

    /// <summary>A scalar as YAML: plain when that reads back as the same string, else double-quoted with escapes.</summary>
    internal static string Quote(string s)
    {
        if (s.Length > 0 && IsPlainSafe(s)) return s;
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static bool IsPlainSafe(string s)
    {
        if (s is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" || s.Trim() != s) return false;
        if ("-?:,[]{}#&*!|>'\"%@`".Contains(s[0])) return false;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return false;
        if (s.Contains(": ") || s.Contains(" #") || s.EndsWith(':')) return false;
        foreach (var c in s)
            if (char.IsControl(c)) return false;
        return true;
    }

    private static ScrapeJobSpan Find(string yaml, string jobName) =>
        Scan(yaml).Jobs.FirstOrDefault(j => j.JobName == jobName) ?? throw new KeyNotFoundException($"no job named \"{jobName}\"");

    private sealed record ScanResult(List<ScrapeJobSpan> Jobs, int SectionKeyStart, int SectionValueEnd);

    /// <summary>Walks the YAML events: the top-level mapping's <c>scrape_configs</c> sequence and the extent of each item.</summary>
    private static ScanResult Scan(string yaml)
    {
        var jobs = new List<ScrapeJobSpan>();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (!parser.TryConsume<DocumentStart>(out _)) return new(jobs, -1, -1);
        if (!parser.TryConsume<MappingStart>(out _)) return new(jobs, -1, -1);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            if (key.Value != "scrape_configs")
            {
                parser.SkipThisAndNestedEvents();
                continue;
            }
            int keyStart = LineStart(yaml, (int)key.Start.Index);
            if (parser.TryConsume<SequenceStart>(out _))
            {
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    int start = ItemStart(yaml, (int)parser.Current!.Start.Index);
                    var (name, editable, lastEnd) = ReadItem(parser);
                    jobs.Add(new ScrapeJobSpan(name ?? "", start, LineEnd(yaml, lastEnd), editable));
                }
                return new(jobs, keyStart, jobs.Count > 0 ? jobs[^1].End : (int)key.End.Index);
            }
            var value = parser.Current!;
            int valueEnd = (int)value.End.Index;
            parser.SkipThisAndNestedEvents();
            return new(jobs, keyStart, valueEnd);
        }
        return new(jobs, -1, -1);
    }

    /// <summary>Consumes one sequence item; returns its job_name, whether the form can edit it, and the end offset of its last value.</summary>
    private static (string? Name, bool Editable, int LastEnd) ReadItem(IParser parser)
    {
        string? name = null;
        bool editable = parser.Current is MappingStart;
        string? section = null;
        int lastEnd = Walk(parser, 0, (level, key, value) =>
        {
            if (level == 0)
            {
                section = key;
                if (key is null || !FormKeys.Contains(key)) editable = false;
                if (key == "job_name") name = value;
                return;
            }
            if (level != 1) return;
            var allowed = section switch
            {
                "basic_auth" => FormBasicAuthKeys,
                "authorization" => FormAuthorizationKeys,
                "tls_config" => FormTlsKeys,
                "static_configs" => FormStaticKeys,
                _ => null,
            };
            if (key is null || allowed is null || !allowed.Contains(key)) editable = false;
        }, () => editable = false);
        return (name, editable, lastEnd);
    }

    /// <summary>
    /// Consumes the node at the parser's position. <paramref name="onKey"/> sees each mapping key (null when not a
    /// scalar) with its nesting level (a mapping's values are one level deeper; sequence items keep the level) and
    /// the key's scalar value when it has one. Returns the end offset of the node's last scalar or flow bracket.
    /// </summary>
    private static int Walk(IParser parser, int level, Action<int, string?, string?> onKey, Action onAlias)
    {
        var ev = parser.Current!;
        parser.MoveNext();
        switch (ev)
        {
            case MappingStart ms:
            {
                int end = ms.Style == MappingStyle.Flow ? (int)ms.End.Index : 0;
                while (parser.Current is not MappingEnd)
                {
                    string? key = (parser.Current as Scalar)?.Value;
                    end = Math.Max(end, Walk(parser, level + 1, static (_, _, _) => { }, onAlias));
                    onKey(level, key, (parser.Current as Scalar)?.Value);
                    end = Math.Max(end, Walk(parser, level + 1, onKey, onAlias));
                }
                var me = parser.Current;
                parser.MoveNext();
                return ms.Style == MappingStyle.Flow ? Math.Max(end, (int)me.End.Index) : end;
            }
            case SequenceStart ss:
            {
                int end = ss.Style == SequenceStyle.Flow ? (int)ss.End.Index : 0;
                while (parser.Current is not SequenceEnd) end = Math.Max(end, Walk(parser, level, onKey, onAlias));
                var se = parser.Current;
                parser.MoveNext();
                return ss.Style == SequenceStyle.Flow ? Math.Max(end, (int)se.End.Index) : end;
            }
            case AnchorAlias:
                onAlias();
                return (int)ev.End.Index;
            default:
                return (int)ev.End.Index;
        }
    }

    private static int LineStart(string s, int i)
    {
        i = Math.Min(i, s.Length);
        while (i > 0 && s[i - 1] != '\n') i--;
        return i;
    }

    /// <summary>The offset just after the newline ending the line that holds offset <paramref name="i"/> (or the text's end).</summary>
    private static int LineEnd(string s, int i)
    {
        if (i > 0 && i <= s.Length && s[i - 1] == '\n') return i;
        while (i < s.Length && s[i] != '\n') i++;
        return Math.Min(i + 1, s.Length);
    }

    /// <summary>The start of the line holding the item's dash (which may be on the line before a block's first key).</summary>
    private static int ItemStart(string s, int eventStart)
    {
        int ls = LineStart(s, eventStart);
        if (s.AsSpan(ls, eventStart - ls).Contains('-')) return ls;
        int prev = ls;
        while (prev > 0)
        {
            int p = LineStart(s, prev - 1);
            var line = s.AsSpan(p, prev - p).Trim();
            if (line.Length == 0 || line[0] == '#') { prev = p; continue; }
            return line is "-" ? p : ls;
        }
        return ls;
    }

    private static int IndentOf(string s, int lineStart)
    {
        int i = lineStart;
        while (i < s.Length && s[i] == ' ') i++;
        return i - lineStart;
    }

    private static string EnsureNewline(string before) => before.Length == 0 || before.EndsWith('\n') ? "" : "\n";
}

/// <summary>
/// Checks a <see cref="SimpleScrapeJob"/> as a form fills it and normalises it: targets may be given as
/// <c>host:port</c> or as URLs (<c>https://host:9100/metrics</c>), from which scheme and metrics path are taken.
/// Errors are keyed by the field they concern. Thread-safe.
/// </summary>
public static class SimpleScrapeJobValidator
{
    /// <summary>Validates and normalises <paramref name="job"/> in place; <paramref name="otherJobNames"/> are the names it must not take.</summary>
    public static Dictionary<string, string> Normalize(SimpleScrapeJob job, IEnumerable<string> otherJobNames)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        job.JobName = job.JobName.Trim();
        if (job.JobName.Length == 0) errors["job"] = "Give the job a name, e.g. node.";
        else if (otherJobNames.Contains(job.JobName, StringComparer.Ordinal)) errors["job"] = $"A job named \"{job.JobName}\" exists already; pick another name or edit that job.";

        var targets = new List<string>();
        string? urlScheme = null, urlPath = null;
        foreach (var raw in job.Targets)
        {
            var t = raw.Trim();
            if (t.Length == 0) continue;
            if (t.Contains("://", StringComparison.Ordinal))
            {
                if (!Uri.TryCreate(t, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.Host.Length == 0)
                {
                    errors["targets"] = $"\"{t}\" is not an http or https URL.";
                    continue;
                }
                var path = u.AbsolutePath;
                if ((urlScheme is not null && urlScheme != u.Scheme) || (urlPath is not null && urlPath != path))
                {
                    errors["targets"] = "All URLs of one job must share scheme and path; make a second job for the others.";
                    continue;
                }
                urlScheme = u.Scheme;
                urlPath = path;
                targets.Add(u.IsDefaultPort ? $"{u.Host}:{u.Port}" : u.Authority);
                continue;
            }
            if (!IsHostPort(t))
            {
                errors["targets"] = $"\"{t}\" is not host:port (e.g. 10.0.0.5:9100) or a URL.";
                continue;
            }
            targets.Add(t);
        }
        if (targets.Count == 0 && !errors.ContainsKey("targets")) errors["targets"] = "Add at least one target, e.g. 10.0.0.5:9100.";
        job.Targets = targets;
        if (urlScheme is not null)
        {
            if (job.Scheme.Length > 0 && job.Scheme != urlScheme) errors["scheme"] = $"The URLs use {urlScheme} but the scheme says {job.Scheme}.";
            job.Scheme = urlScheme == "http" ? "" : urlScheme;
            if (urlPath is not null && urlPath != "/" && job.MetricsPath.Length == 0) job.MetricsPath = urlPath == "/metrics" ? "" : urlPath;
        }
        if (job.Scheme.Length > 0 && job.Scheme is not ("http" or "https")) errors["scheme"] = "The scheme is http or https.";
        if (job.MetricsPath.Length > 0 && job.MetricsPath[0] != '/') errors["path"] = "The metrics path starts with /, e.g. /metrics.";

        long interval = Duration(job.ScrapeInterval, "interval", errors), timeout = Duration(job.ScrapeTimeout, "timeout", errors);
        if (interval > 0 && timeout > interval) errors["timeout"] = "The timeout cannot be longer than the interval.";
        if (job.BasicAuthPassword.Length > 0 && job.BasicAuthUsername.Length == 0) errors["username"] = "Basic auth needs a user name.";
        if (job.BearerToken.Length > 0 && (job.BasicAuthUsername.Length > 0 || job.BasicAuthPassword.Length > 0))
            errors["token"] = "Use either basic auth or a bearer token, not both.";
        if ((job.TlsCert.Length > 0) != (job.TlsKey.Length > 0)) errors["tls"] = "A client certificate needs its key, and a key its certificate.";
        foreach (var name in job.Labels.Keys)
            if (!Portal.Model.LabelNames.IsLegacyLabelName(name)) errors["labels"] = $"\"{name}\" is not a valid label name (letters, digits and _, not starting with a digit).";
        return errors;
    }

    private static long Duration(string text, string field, Dictionary<string, string> errors)
    {
        text = text.Trim();
        if (text.Length == 0) return 0;
        if (!Portal.Config.Duration.TryParse(text, out var d, out _) || d.IsZero)
        {
            errors[field] = $"\"{text}\" is not a duration such as 15s, 1m or 1h30m.";
            return 0;
        }
        return d.Milliseconds;
    }

    private static bool IsHostPort(string t)
    {
        int colon = t.LastIndexOf(':');
        if (colon <= 0 || colon == t.Length - 1) return false;
        if (!int.TryParse(t.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        var host = t[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) return System.Net.IPAddress.TryParse(host[1..^1], out _);
        return Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}
