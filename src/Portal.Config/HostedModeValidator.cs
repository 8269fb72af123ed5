using System.Collections;
using System.Net;
using System.Net.Sockets;
using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;

namespace Portal.Config;

/// <summary>Options of the hosted-mode checks.</summary>
public sealed record HostedModeOptions
{
    /// <summary>When true, loopback, link-local and private addresses are allowed as targets and URLs (an operator's choice).</summary>
    public bool AllowPrivateNetworks { get; init; }

    /// <summary>The file name used in errors.</summary>
    public string FileName { get; init; } = "config";

    public static HostedModeOptions Default { get; } = new();
}

/// <summary>
/// The checks a hosted (multi-tenant) Portal runs on a tenant's already loaded configuration, separate from the
/// loaders: nothing may read the server's files (<c>*_file</c> fields, <c>file_sd_configs</c>, rule and template
/// paths), use the server's own credentials or environment, change server-wide settings, or reach loopback,
/// link-local or private addresses. Every refusal has the line:column of the setting and the reason.
/// Host names are checked as written; the scrape and notify layers must check resolved addresses again at connect time.
/// Stateless; thread-safe.
/// </summary>
public static class HostedModeValidator
{
    private static readonly HashSet<string> UrlKeys = new(StringComparer.Ordinal)
    {
        "url", "api_url", "webhook_url", "token_url", "proxy_url", "api_server", "app_url", "server",
        "slack_api_url", "pagerduty_url", "opsgenie_api_url", "wechat_api_url", "victorops_api_url", "telegram_api_url",
        "webex_api_url", "jira_api_url", "rocketchat_api_url", "mattermost_webhook_url", "smtp_smarthost", "smarthost",
        "identity_endpoint", "host",
    };

    private static readonly HashSet<string> FileKeys = new(StringComparer.Ordinal)
    {
        "private_key_path", "service_account_key_path", "credentials_file_path", "token_file_path",
    };

    public static IReadOnlyList<ConfigError> Validate(PrometheusConfig config) => Validate(config, HostedModeOptions.Default);

    public static IReadOnlyList<ConfigError> Validate(PrometheusConfig config, HostedModeOptions options)
    {
        var v = new Visitor(options);
        if (config.RuleFiles is { Count: > 0 })
            v.Error(config, "rule_files", "rule_files names files on the server; in hosted mode upload rule groups to Portal instead");
        if (config.ScrapeConfigFiles is { Count: > 0 })
            v.Error(config, "scrape_config_files", "scrape_config_files names files on the server; in hosted mode put the jobs in scrape_configs");
        if (config.IsSet("storage")) v.Error(config, "storage", "storage settings apply to the whole server; a hosted tenant may not set them");
        if (config.IsSet("runtime")) v.Error(config, "runtime", "runtime settings apply to the whole server process; a hosted tenant may not set them");
        if (config.IsSet("tracing")) v.Error(config, "tracing", "tracing is configured by the server operator; a hosted tenant may not set it");
        foreach (var sc in config.ScrapeConfigs ?? []) CheckDiscovery(v, sc.ServiceDiscovery);
        foreach (var am in config.Alerting?.Alertmanagers ?? []) CheckDiscovery(v, am.ServiceDiscovery);
        v.Walk(config);
        return v.Errors;
    }

    public static IReadOnlyList<ConfigError> Validate(AlertmanagerConfig config) => Validate(config, HostedModeOptions.Default);

    public static IReadOnlyList<ConfigError> Validate(AlertmanagerConfig config, HostedModeOptions options)
    {
        var v = new Visitor(options);
        if (config.Templates is { Count: > 0 })
            v.Error(config, "templates", "templates names template files on the server; in hosted mode upload templates to Portal instead");
        if (config.IsSet("tracing")) v.Error(config, "tracing", "tracing is configured by the server operator; a hosted tenant may not set it");
        if (config.IsSet("event_recorder")) v.Error(config, "event_recorder", "event_recorder writes to the server's files and brokers; a hosted tenant may not set it");
        v.Walk(config);
        return v.Errors;
    }

    private static void CheckDiscovery(Visitor v, ServiceDiscoveryConfigs sd)
    {
        foreach (var d in sd.All())
        {
            switch (d)
            {
                case FileSdConfig:
                    v.Error(d, null, "file_sd_configs reads target files from the server's disk; in hosted mode use static_configs or http_sd_configs");
                    break;
                case KubernetesSdConfig k when string.IsNullOrEmpty(k.ApiServer) && string.IsNullOrEmpty(k.KubeconfigFile):
                    v.Error(k, null, "kubernetes_sd_configs without api_server would use the server's own cluster credentials; set api_server and credentials");
                    break;
                case AwsSdConfigBase a when string.IsNullOrEmpty(a.AccessKey) || a.IsSet("profile") || a.IsSet("role_arn"):
                    v.Error(a, a.IsSet("profile") ? "profile" : a.IsSet("role_arn") ? "role_arn" : null,
                        $"{a.Key} without access_key/secret_key (or with a profile or role_arn) would use the server's own AWS credentials; give access_key and secret_key");
                    break;
                case AzureSdConfig az when az.AuthenticationMethod is not "OAuth":
                    v.Error(az, "authentication_method", $"authentication_method {az.AuthenticationMethod} uses the server's own Azure identity; in hosted mode use OAuth with a client secret");
                    break;
                case GceSdConfig:
                    v.Error(d, null, "gce_sd_configs always uses the server's own Google credentials; it is not available in hosted mode");
                    break;
                case OciSdConfig o when o.Auth is not "api_key":
                    v.Error(o, "auth", $"oci auth {o.Auth} uses the server's own identity; in hosted mode use api_key");
                    break;
                case NerveSdConfig or ServersetSdConfig:
                    foreach (var s in ((ZookeeperSdConfig)d).Servers ?? []) v.CheckAddress(d, "servers", s);
                    break;
            }
        }
    }

    private sealed class Visitor(HostedModeOptions options)
    {
        public List<ConfigError> Errors { get; } = new();
        private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);

        public void Error(ConfigObject o, string? key, string message)
        {
            var p = LoadContext.Where(o, key);
            var e = new ConfigError(options.FileName, p.Line, p.Column, message);
            if (!Errors.Contains(e)) Errors.Add(e);
        }

        public void Walk(ConfigObject obj)
        {
            if (!_seen.Add(obj)) return;
            foreach (var prop in Binder.PropsOf(obj.GetType()))
            {
                var owner = prop.Path.Length == 0 ? obj : Binder.Resolve(obj, prop.Path, create: false);
                if (owner is null) continue;
                var value = prop.Property.GetValue(owner);
                if (value is null) continue;
                var key = prop.Key;
                if (!obj.IsSet(key)) { Descend(value); continue; }
                var text = value switch { string s => s, Secret s => s.Value, _ => null };
                if (text is not null)
                {
                    if (text.Length > 0 && (key.EndsWith("_file", StringComparison.Ordinal) || FileKeys.Contains(key)))
                        Error(obj, key, $"{key} reads a file on the server; in hosted mode give the value inline instead");
                    else if (UrlKeys.Contains(key) && text.Length > 0) CheckAddress(obj, key, text);
                    continue;
                }
                if (value is bool b && b && key == "proxy_from_environment")
                    Error(obj, key, "proxy_from_environment uses the server's environment; in hosted mode set proxy_url");
                if (obj is StaticConfig sc && key == "targets")
                    foreach (var t in sc.Targets ?? []) CheckAddress(sc, key, t);
                Descend(value);
            }
        }

        private void Descend(object value)
        {
            switch (value)
            {
                case ConfigObject co:
                    Walk(co);
                    break;
                case IDictionary dict:
                    foreach (var v in dict.Values) if (v is ConfigObject c) Walk(c);
                    break;
                case IEnumerable list when value is not string:
                    foreach (var v in list) if (v is ConfigObject c) Walk(c);
                    break;
            }
        }

        public void CheckAddress(ConfigObject o, string key, string? address)
        {
            if (options.AllowPrivateNetworks || string.IsNullOrEmpty(address) || address == Secret.Mask || address.Contains("{{", StringComparison.Ordinal)) return;
            var host = HostOf(address);
            if (host is null) return;
            var reason = PrivateReason(host);
            if (reason is not null)
                Error(o, key, $"{address} points at {reason}; a hosted tenant may only reach public addresses");
        }
    }

    internal static string? HostOf(string address)
    {
        var s = address.Trim();
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) s = s[(scheme + 3)..];
        int slash = s.IndexOfAny(['/', '?', '#']);
        if (slash >= 0) s = s[..slash];
        int at = s.LastIndexOf('@');
        if (at >= 0) s = s[(at + 1)..];
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']');
            return close > 0 ? s[1..close] : null;
        }
        int colon = s.LastIndexOf(':');
        if (colon >= 0 && s.IndexOf(':') == colon) s = s[..colon];
        return s.Length == 0 ? null : s;
    }

    /// <summary>Why <paramref name="host"/> is not a public address (loopback, link-local, private, unspecified), or null.</summary>
    internal static string? PrivateReason(string host)
    {
        var h = host.ToLowerInvariant().TrimEnd('.');
        if (h == "localhost" || h.EndsWith(".localhost", StringComparison.Ordinal)) return "the server itself (localhost)";
        return IPAddress.TryParse(h, out var ip) ? HostedNetwork.ForbiddenReason(ip) : null;
    }
}
