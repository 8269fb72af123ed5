using System.Text;
using Portal.Model;

namespace Portal.Alerting;

/// <summary>
/// The data notification templates see, shaped like Alertmanager's <c>template.Data</c> so that the same template
/// text works: <c>.Receiver</c>, <c>.Status</c>, <c>.Alerts</c> (with <c>.Firing</c>/<c>.Resolved</c>),
/// <c>.GroupLabels</c>, <c>.CommonLabels</c>, <c>.CommonAnnotations</c>, <c>.ExternalURL</c>. Not mutated after creation.
/// </summary>
public sealed class TemplateData
{
    /// <summary>The receiver's name, regex-quoted as Alertmanager does.</summary>
    public string Receiver { get; init; } = "";
    public string Status { get; init; } = "firing";
    public TemplateAlerts Alerts { get; init; } = [];
    public KV GroupLabels { get; init; } = [];
    public KV CommonLabels { get; init; } = [];
    public KV CommonAnnotations { get; init; } = [];
    public string ExternalURL { get; init; } = "";

    /// <summary>Builds the data for a notification of <paramref name="alerts"/> to <paramref name="receiver"/> at <paramref name="now"/>.</summary>
    public static TemplateData Create(string receiver, Labels groupLabels, IReadOnlyList<Alert> alerts, string externalUrl, DateTimeOffset now)
    {
        var list = new TemplateAlerts();
        bool anyFiring = false;
        foreach (var a in alerts)
        {
            var status = a.StatusAt(now);
            anyFiring |= status == "firing";
            list.Add(new TemplateAlert
            {
                Status = status,
                Labels = KV.From(a.Labels),
                Annotations = KV.From(a.Annotations),
                StartsAt = a.StartsAt,
                EndsAt = a.EndsAt,
                GeneratorURL = a.GeneratorUrl,
                Fingerprint = Fingerprints.ToHex(a.Fingerprint),
            });
        }
        var common = new KV();
        var commonAnn = new KV();
        if (alerts.Count > 0)
        {
            foreach (var l in alerts[0].Labels) common[l.Name] = l.Value;
            foreach (var l in alerts[0].Annotations) commonAnn[l.Name] = l.Value;
            for (int i = 1; i < alerts.Count && (common.Count > 0 || commonAnn.Count > 0); i++)
            {
                Intersect(common, alerts[i].Labels);
                Intersect(commonAnn, alerts[i].Annotations);
            }
        }
        return new TemplateData
        {
            Receiver = QuoteMeta(receiver),
            Status = anyFiring ? "firing" : "resolved",
            Alerts = list,
            GroupLabels = KV.From(groupLabels),
            CommonLabels = common,
            CommonAnnotations = commonAnn,
            ExternalURL = externalUrl,
        };
    }

    /// <summary>Go's <c>regexp.QuoteMeta</c>: a backslash before each of <c>\.+*?()|[]{}^$</c>.</summary>
    public static string QuoteMeta(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is '\\' or '.' or '+' or '*' or '?' or '(' or ')' or '|' or '[' or ']' or '{' or '}' or '^' or '$') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static void Intersect(KV kv, Labels with)
    {
        var drop = new List<string>();
        foreach (var (k, v) in kv)
        {
            int i = with.IndexOf(k);
            if (i < 0 || !string.Equals(with[i].Value, v, StringComparison.Ordinal)) drop.Add(k);
        }
        foreach (var k in drop) kv.Remove(k);
    }
}

/// <summary>One alert as templates see it.</summary>
public sealed class TemplateAlert
{
    public string Status { get; init; } = "";
    public KV Labels { get; init; } = [];
    public KV Annotations { get; init; } = [];
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public string GeneratorURL { get; init; } = "";
    public string Fingerprint { get; init; } = "";
}

/// <summary>A list of alerts with Alertmanager's <c>Firing</c> and <c>Resolved</c> filters.</summary>
public sealed class TemplateAlerts : List<TemplateAlert>
{
    public TemplateAlerts Firing()
    {
        var r = new TemplateAlerts();
        foreach (var a in this) if (a.Status == "firing") r.Add(a);
        return r;
    }

    public TemplateAlerts Resolved()
    {
        var r = new TemplateAlerts();
        foreach (var a in this) if (a.Status == "resolved") r.Add(a);
        return r;
    }
}

/// <summary>Alertmanager's <c>KV</c>: a string map with <c>SortedPairs</c>, <c>Remove</c>, <c>Names</c> and <c>Values</c>.</summary>
public sealed class KV : SortedDictionary<string, string>
{
    public KV() : base(StringComparer.Ordinal) { }

    public static KV From(Labels labels)
    {
        var kv = new KV();
        foreach (var l in labels) kv[l.Name] = l.Value;
        return kv;
    }

    /// <summary>The pairs sorted by name.</summary>
    public Pairs SortedPairs()
    {
        var p = new Pairs();
        foreach (var (k, v) in this) p.Add(new Pair { Name = k, Value = v });
        return p;
    }

    /// <summary>A copy without the named keys.</summary>
    public KV Remove(string[] keys)
    {
        var kv = new KV();
        foreach (var (k, v) in this)
            if (Array.IndexOf(keys, k) < 0) kv[k] = v;
        return kv;
    }

    public List<string> Names() => SortedPairs().Names();

    public new List<string> Values() => SortedPairs().Values();
}

public sealed class Pair
{
    public string Name { get; init; } = "";
    public string Value { get; init; } = "";
}

/// <summary>A list of name/value pairs with <c>Names</c> and <c>Values</c>.</summary>
public sealed class Pairs : List<Pair>
{
    public List<string> Names()
    {
        var r = new List<string>(Count);
        foreach (var p in this) r.Add(p.Name);
        return r;
    }

    public List<string> Values()
    {
        var r = new List<string>(Count);
        foreach (var p in this) r.Add(p.Value);
        return r;
    }
}
