using System.Net;
using Portal.Alerting.Receivers;
using Portal.Config.Alertmanager;
using Portal.Rules.Templates;

namespace Portal.Alerting.Templates;

/// <summary>
/// Notification templates on Portal's Go text/template engine with Alertmanager's function set and missing keys as
/// zero values: Portal's default templates (same names as Alertmanager's default.tmpl, e.g. <c>__subject</c>,
/// <c>slack.default.title</c>, <c>email.default.html</c>) plus the configuration's <c>templates</c> files.
/// HTML expansion inserts every data value HTML-escaped (values only, not html/template's contextual escaping).
/// Parsed once per configuration; thread-safe for expansion.
/// </summary>
public sealed class NotificationTemplates : INotificationTemplater
{
    private static readonly Lazy<string> Defaults = new(() =>
    {
        using var s = typeof(NotificationTemplates).Assembly.GetManifestResourceStream("Portal.Alerting.Templates.portal-default.tmpl")
            ?? throw new InvalidOperationException("default templates missing from the assembly");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    });

    private readonly GoTemplate _base;
    private int _counter;

    /// <param name="templateFiles">Files (from the configuration's <c>templates</c>, globs expanded) parsed after the defaults.</param>
    public NotificationTemplates(TimeProvider clock, IEnumerable<string>? templateFiles = null)
    {
        _base = new GoTemplate(AlertmanagerTemplateFunctions.Create(clock), MissingKeyMode.Zero);
        _base.Parse("default.tmpl", Defaults.Value);
        foreach (var f in templateFiles ?? [])
        {
            try
            {
                _base.Parse(Path.GetFileName(f), File.ReadAllText(f));
            }
            catch (TemplateException e)
            {
                throw new NotificationTemplateException($"template file {f}: {e.Message}", e);
            }
        }
    }

    /// <summary>The templates of <paramref name="config"/>: defaults plus its <c>templates</c> globs (relative to <paramref name="baseDirectory"/>); none when <paramref name="allowFiles"/> is false.</summary>
    public static NotificationTemplates For(AlertmanagerConfig config, TimeProvider clock, string? baseDirectory, bool allowFiles)
    {
        var files = new List<string>();
        if (allowFiles)
            foreach (var pattern in config.Templates ?? [])
                files.AddRange(ExpandGlob(pattern, baseDirectory));
        return new NotificationTemplates(clock, files);
    }

    private static IEnumerable<string> ExpandGlob(string pattern, string? baseDirectory)
    {
        var full = Path.IsPathRooted(pattern) || baseDirectory is null ? pattern : Path.Combine(baseDirectory, pattern);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var name = Path.GetFileName(full);
        if (!Directory.Exists(dir)) return [];
        var list = new List<string>(Directory.GetFiles(dir, name));
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public string Text(string template, TemplateData data) => Run(template, data);

    public string Html(string template, TemplateData data) => Run(template, Escaped(data));

    private string Run(string template, TemplateData data)
    {
        if (!template.Contains("{{", StringComparison.Ordinal)) return template;
        var t = _base.Clone();
        var name = "__text_" + Interlocked.Increment(ref _counter);
        try
        {
            t.Parse(name, template);
            return t.Execute(name, data);
        }
        catch (TemplateException e)
        {
            throw new NotificationTemplateException($"template {template}: {e.Message}", e);
        }
    }

    private static TemplateData Escaped(TemplateData d)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        static KV Kv(KV kv)
        {
            var r = new KV();
            foreach (var (k, v) in kv) r[E(k)] = E(v);
            return r;
        }
        var alerts = new TemplateAlerts();
        foreach (var a in d.Alerts)
            alerts.Add(new TemplateAlert { Status = a.Status, Labels = Kv(a.Labels), Annotations = Kv(a.Annotations), StartsAt = a.StartsAt, EndsAt = a.EndsAt, GeneratorURL = E(a.GeneratorURL), Fingerprint = a.Fingerprint });
        return new TemplateData
        {
            Receiver = E(d.Receiver),
            Status = d.Status,
            Alerts = alerts,
            GroupLabels = Kv(d.GroupLabels),
            CommonLabels = Kv(d.CommonLabels),
            CommonAnnotations = Kv(d.CommonAnnotations),
            ExternalURL = E(d.ExternalURL),
        };
    }
}
