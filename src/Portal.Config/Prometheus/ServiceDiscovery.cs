using System.Text.RegularExpressions;

namespace Portal.Config.Prometheus;

/// <summary>
/// A service-discovery section of a scrape or Alertmanager configuration. All kinds Prometheus knows are parsed and
/// validated here; which kinds actually discover targets is up to the scrape layer.
/// </summary>
public abstract class ServiceDiscoveryConfig : ConfigObject
{
    /// <summary>The YAML key of the list this kind lives in, e.g. <c>file_sd_configs</c>.</summary>
    public abstract string Key { get; }

    /// <summary>The file paths this section makes the server read (for hosted-mode checks): key and value.</summary>
    internal virtual IEnumerable<(ConfigObject Owner, string Key, string Path)> FileReferences() => [];

    private protected static void Require(LoadContext ctx, ConfigObject o, string? value, string key, string message)
    {
        if (string.IsNullOrWhiteSpace(value)) ctx.Error(o, o.IsSet(key) ? key : null, message);
    }

    private protected static void OneOf(LoadContext ctx, ConfigObject o, string? value, string key, string[] allowed, Func<string, string> message)
    {
        if (value is null || Array.IndexOf(allowed, value) >= 0) return;
        ctx.Error(o, key, message(value));
    }
}

/// <summary>A discovery kind that takes the full HTTP client settings inline.</summary>
public abstract class HttpServiceDiscoveryConfig : ServiceDiscoveryConfig
{
    [YamlInline] public HttpClientConfig HttpClientConfig { get; set; } = new();

    /// <summary>True when any HTTP client setting was written in the source.</summary>
    internal bool HasCustomHttpConfig()
    {
        foreach (var p in Binder.PropsOf(typeof(HttpClientConfig)))
            if (IsSet(p.Key)) return true;
        return false;
    }
}

[YamlType("static_config")]
public sealed class StaticConfig : ServiceDiscoveryConfig
{
    public override string Key => "static_configs";
    [YamlKey("targets")] public List<string>? Targets { get; set; }
    [YamlKey("labels")] public Dictionary<string, string>? Labels { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (Labels is null) return;
        foreach (var (k, v) in Labels)
        {
            if (!RelabelConfig.LabelNameOk(k, false)) ctx.Error(this, "labels", $"\"{k}\" is not a valid label name");
            if (!RelabelConfig.IsValidUtf8(v)) ctx.Error(this, "labels", $"\"{v}\" is not a valid label value");
        }
    }
}

[YamlType("file_sd_config")]
public sealed class FileSdConfig : ServiceDiscoveryConfig
{
    public override string Key => "file_sd_configs";
    private static readonly Regex PathPattern = new(@"^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$", RegexOptions.CultureInvariant);

    [YamlKey("files")] public List<string>? Files { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromMinutes(5);

    internal override void Validate(LoadContext ctx)
    {
        if (Files is null || Files.Count == 0)
        {
            ctx.Error(this, null, "file service discovery config must contain at least one path name");
            return;
        }
        foreach (var f in Files)
            if (!PathPattern.IsMatch(f ?? "")) ctx.Error(this, "files", $"path name \"{f}\" is not valid for file discovery (it must end in .json, .yml or .yaml; one * is allowed in the last part)");
    }

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        foreach (var f in Files ?? []) yield return (this, "files", f);
    }
}

[YamlType("filter")]
public sealed class SdFilter : ConfigObject
{
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("values")] public List<string>? Values { get; set; }
}

/// <summary>Fields shared by the AWS kinds (ec2, lightsail, aws).</summary>
public abstract class AwsSdConfigBase : HttpServiceDiscoveryConfig
{
    [YamlKey("region")] public string? Region { get; set; }
    [YamlKey("endpoint")] public string? Endpoint { get; set; }
    [YamlKey("access_key")] public string? AccessKey { get; set; }
    [YamlKey("secret_key")] public Secret? SecretKey { get; set; }
    [YamlKey("profile")] public string? Profile { get; set; }
    [YamlKey("role_arn")] public string? RoleArn { get; set; }
    [YamlKey("external_id")] public string? ExternalId { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("port")] public int Port { get; set; } = 80;
}

[YamlType("ec2_sd_config")]
public sealed class Ec2SdConfig : AwsSdConfigBase
{
    public override string Key => "ec2_sd_configs";
    [YamlKey("filters")] public List<SdFilter>? Filters { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        foreach (var f in Filters ?? [])
            if (f is null || f.Values is null || f.Values.Count == 0)
                ctx.Error(this, "filters", "EC2 SD configuration filter values cannot be empty");
    }
}

[YamlType("lightsail_sd_config")]
public sealed class LightsailSdConfig : AwsSdConfigBase
{
    public override string Key => "lightsail_sd_configs";
}

[YamlType("aws_sd_config")]
public sealed class AwsSdConfig : AwsSdConfigBase
{
    public override string Key => "aws_sd_configs";
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("filters")] public List<SdFilter>? Filters { get; set; }
    [YamlKey("clusters")] public List<string>? Clusters { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Role, "role", "role missing (one of: ec2, lightsail, ecs)");
        OneOf(ctx, this, Role, "role", ["ec2", "lightsail", "ecs"], r => $"unknown AWS SD role \"{r}\" (one of: ec2, lightsail, ecs)");
    }
}

[YamlType("azure_sd_config")]
public sealed class AzureSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "azure_sd_configs";
    [YamlKey("environment")] public string? Environment { get; set; } = "AzurePublicCloud";
    [YamlKey("authentication_method")] public string? AuthenticationMethod { get; set; } = "OAuth";
    [YamlKey("subscription_id")] public string? SubscriptionId { get; set; }
    [YamlKey("tenant_id")] public string? TenantId { get; set; }
    [YamlKey("client_id")] public string? ClientId { get; set; }
    [YamlKey("client_secret")] public Secret? ClientSecret { get; set; }
    [YamlKey("resource_group")] public string? ResourceGroup { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(300);
    [YamlKey("port")] public int Port { get; set; } = 80;

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, SubscriptionId, "subscription_id", "azure SD configuration requires a subscription_id");
        var m = AuthenticationMethod ?? "";
        if (m is not ("OAuth" or "ManagedIdentity" or "SDK" or "WorkloadIdentity"))
        {
            ctx.Error(this, "authentication_method", $"unknown authentication_type \"{m}\". Supported types are \"OAuth\", \"ManagedIdentity\" or \"SDK\" (or \"WorkloadIdentity\")");
            return;
        }
        if (m == "OAuth")
        {
            Require(ctx, this, TenantId, "tenant_id", "azure SD configuration requires a tenant_id");
            Require(ctx, this, ClientId, "client_id", "azure SD configuration requires a client_id");
            Require(ctx, this, ClientSecret?.Value, "client_secret", "azure SD configuration requires a client_secret");
        }
    }
}

[YamlType("consul_sd_config")]
public sealed class ConsulSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "consul_sd_configs";
    [YamlKey("server")] public string? Server { get; set; } = "localhost:8500";
    [YamlKey("path_prefix")] public string? PathPrefix { get; set; }
    [YamlKey("token")] public Secret? Token { get; set; }
    [YamlKey("datacenter")] public string? Datacenter { get; set; }
    [YamlKey("namespace")] public string? Namespace { get; set; }
    [YamlKey("partition")] public string? Partition { get; set; }
    [YamlKey("scheme")] public string? Scheme { get; set; } = "http";
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("password")] public Secret? Password { get; set; }
    [YamlKey("services")] public List<string>? Services { get; set; }
    [YamlKey("filter")] public string? Filter { get; set; }
    [YamlKey("health_filter")] public string? HealthFilter { get; set; }
    [YamlKey("tags")] public List<string>? Tags { get; set; }
    [YamlKey("node_meta")] public Dictionary<string, string>? NodeMeta { get; set; }
    [YamlKey("tag_separator")] public string? TagSeparator { get; set; } = ",";
    [YamlKey("allow_stale")] public bool AllowStale { get; set; } = true;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(30);

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Server, "server", "consul SD configuration requires a server address");
        if ((!string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password?.Value)) && HttpClientConfig.BasicAuth is not null)
            ctx.Error(this, "username", "at most one of consul SD configuration username and password and basic auth can be configured");
        if (!string.IsNullOrEmpty(Token?.Value) && (HttpClientConfig.Authorization is not null || HttpClientConfig.OAuth2 is not null))
            ctx.Error(this, "token", "at most one of consul SD token, authorization, or oauth2 can be configured");
    }
}

[YamlType("digitalocean_sd_config")]
public sealed class DigitalOceanSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "digitalocean_sd_configs";
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
}

[YamlType("docker_sd_config")]
public sealed class DockerSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "docker_sd_configs";
    [YamlKey("host")] public string? Host { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("host_networking_host")] public string? HostNetworkingHost { get; set; } = "localhost";
    [YamlKey("match_first_network")] public bool MatchFirstNetwork { get; set; } = true;
    [YamlKey("filters")] public List<SdFilter>? Filters { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override void Validate(LoadContext ctx) => Require(ctx, this, Host, "host", "host missing");
}

[YamlType("dockerswarm_sd_config")]
public sealed class DockerSwarmSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "dockerswarm_sd_configs";
    [YamlKey("host")] public string? Host { get; set; }
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("filters")] public List<SdFilter>? Filters { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Host, "host", "host missing");
        Require(ctx, this, Role, "role", "role missing (one of: tasks, services, nodes)");
        OneOf(ctx, this, Role, "role", ["services", "tasks", "nodes"], r => $"invalid role {r}, expected tasks, services, or nodes");
    }
}

[YamlType("dns_sd_config")]
public sealed class DnsSdConfig : ServiceDiscoveryConfig
{
    public override string Key => "dns_sd_configs";
    [YamlKey("names")] public List<string>? Names { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(30);
    [YamlKey("type")] public string? Type { get; set; } = "SRV";
    [YamlKey("port")] public int Port { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (Names is null || Names.Count == 0) ctx.Error(this, null, "DNS-SD config must contain at least one SRV record name");
        Type = (Type ?? "").ToUpperInvariant();
        if (Type is not ("SRV" or "A" or "AAAA" or "MX" or "NS")) ctx.Error(this, "type", $"invalid DNS-SD records type {Type} (one of SRV, A, AAAA, MX, NS)");
        else if (Type != "SRV" && Port == 0) ctx.Error(this, null, "a port is required in DNS-SD configs for all record types except SRV");
    }
}

[YamlType("eureka_sd_config")]
public sealed class EurekaSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "eureka_sd_configs";
    [YamlKey("server")] public string? Server { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(30);

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Server)) { ctx.Error(this, IsSet("server") ? "server" : null, "empty or null eureka server"); return; }
        if (!Uri.TryCreate(Server, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host) || !Server.Contains("://", StringComparison.Ordinal))
            ctx.Error(this, "server", $"invalid eureka server URL \"{Server}\" (it needs a scheme and a host, e.g. http://eureka:8761/eureka)");
    }
}

[YamlType("gce_sd_config")]
public sealed class GceSdConfig : ServiceDiscoveryConfig
{
    public override string Key => "gce_sd_configs";
    [YamlKey("project")] public string? Project { get; set; }
    [YamlKey("zone")] public string? Zone { get; set; }
    [YamlKey("filter")] public string? Filter { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("tag_separator")] public string? TagSeparator { get; set; } = ",";

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Project, "project", "GCE SD configuration requires a project");
        Require(ctx, this, Zone, "zone", "GCE SD configuration requires a zone");
    }
}

[YamlType("hetzner_sd_config")]
public sealed class HetznerSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "hetzner_sd_configs";
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("label_selector")] public string? LabelSelector { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Role, "role", "role missing (one of: robot, hcloud)");
        OneOf(ctx, this, Role, "role", ["robot", "hcloud"], r => $"unknown role \"{r}\" (one of: robot, hcloud)");
    }
}

[YamlType("http_sd_config")]
public sealed class HttpSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "http_sd_configs";
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Url)) { ctx.Error(this, null, "URL is missing"); return; }
        UrlCheck.Validate(ctx, this, "url", Url, requireHttp: true);
    }
}

[YamlType("ionos_sd_config")]
public sealed class IonosSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "ionos_sd_configs";
    [YamlKey("datacenter_id")] public string? DatacenterId { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override void Validate(LoadContext ctx) => Require(ctx, this, DatacenterId, "datacenter_id", "datacenter id can't be empty");
}

[YamlType("kubernetes_namespaces")]
public sealed class KubernetesNamespaces : ConfigObject
{
    [YamlKey("own_namespace")] public bool OwnNamespace { get; set; }
    [YamlKey("names")] public List<string>? Names { get; set; }
}

[YamlType("kubernetes_selector")]
public sealed class KubernetesSelector : ConfigObject
{
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("label")] public string? Label { get; set; }
    [YamlKey("field")] public string? Field { get; set; }
}

[YamlType("attach_metadata")]
public sealed class KubernetesAttachMetadata : ConfigObject
{
    [YamlKey("node")] public bool Node { get; set; }
    [YamlKey("namespace")] public bool Namespace { get; set; }
    [YamlKey("deployment")] public bool Deployment { get; set; }
    [YamlKey("job")] public bool Job { get; set; }
    [YamlKey("cronjob")] public bool CronJob { get; set; }
}

[YamlType("kubernetes_sd_config")]
public sealed class KubernetesSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "kubernetes_sd_configs";
    private static readonly string[] Roles = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];

    [YamlKey("api_server")] public string? ApiServer { get; set; }
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("kubeconfig_file")] public string? KubeconfigFile { get; set; }
    [YamlKey("namespaces")] public KubernetesNamespaces? Namespaces { get; set; }
    [YamlKey("selectors")] public List<KubernetesSelector>? Selectors { get; set; }
    [YamlKey("attach_metadata")] public KubernetesAttachMetadata? AttachMetadata { get; set; }

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        if (!string.IsNullOrEmpty(KubeconfigFile)) yield return (this, "kubeconfig_file", KubeconfigFile);
    }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Role)) { ctx.Error(this, null, "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)"); return; }
        if (Array.IndexOf(Roles, Role) < 0)
        {
            ctx.Error(this, "role", $"unknown Kubernetes SD role \"{Role}\" (one of: pod, service, endpoints, endpointslice, node, ingress)");
            return;
        }
        bool api = !string.IsNullOrEmpty(ApiServer), kube = !string.IsNullOrEmpty(KubeconfigFile), http = HasCustomHttpConfig();
        bool own = Namespaces?.OwnNamespace == true;
        if (api && kube) ctx.Error(this, "kubeconfig_file", "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
        else if (kube && http) ctx.Error(this, "kubeconfig_file", "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
        else if (!api && http) ctx.Error(this, null, "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
        else if (api && own) ctx.Error(this, "namespaces", "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
        else if (kube && own) ctx.Error(this, "namespaces", "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
        var allowed = Role switch
        {
            "pod" => new[] { "pod", "node" },
            "service" => ["service"],
            "endpointslice" => ["pod", "service", "endpointslice"],
            "endpoints" => ["pod", "service", "endpoints"],
            "node" => ["node"],
            _ => ["ingress"],
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in Selectors ?? [])
        {
            if (s is null) continue;
            var r = s.Role ?? "";
            if (!seen.Add(r)) { ctx.Error(s, "role", $"duplicated selector role: {r}"); continue; }
            if (Array.IndexOf(allowed, r) < 0) { ctx.Error(s, "role", $"{Role} role supports only {string.Join(", ", allowed)} selectors"); continue; }
            foreach (var (key, sel) in new[] { ("field", s.Field), ("label", s.Label) })
            {
                var err = CheckSelector(sel);
                if (err is not null) ctx.Error(s, key, err);
            }
        }
    }

    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < selector.Length; i++)
        {
            if (selector[i] == '(') depth++;
            else if (selector[i] == ')') depth--;
            else if (selector[i] == ',' && depth == 0)
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }
        terms.Add(selector[start..]);
        return terms;
    }

    private static string? CheckSelector(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector)) return null;
        foreach (var raw in SplitTerms(selector))
        {
            var term = raw.Trim();
            if (term.Length == 0) continue;
            if (term.StartsWith('!') && term.Length > 1 && !term.Contains('=')) continue;
            if (term.Contains("!=", StringComparison.Ordinal) || term.Contains('=')) continue;
            if (term.Contains(" in ", StringComparison.Ordinal) || term.Contains(" notin ", StringComparison.Ordinal)) continue;
            if (Regex.IsMatch(term, @"^[A-Za-z0-9_./-]+$") && !term.Contains('-')) continue;
            return $"invalid selector: '{selector}'; can't understand '{term}'";
        }
        return null;
    }
}

[YamlType("kuma_sd_config")]
public sealed class KumaSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "kuma_sd_configs";
    [YamlKey("server")] public string? Server { get; set; }
    [YamlKey("client_id")] public string? ClientId { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(30);
    [YamlKey("fetch_timeout")] public Duration FetchTimeout { get; set; } = Duration.FromMinutes(2);

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Server, "server", "kuma SD server must not be empty");
        if (!string.IsNullOrEmpty(Server)) UrlCheck.Validate(ctx, this, "server", Server, requireHttp: true);
    }
}

[YamlType("linode_sd_config")]
public sealed class LinodeSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "linode_sd_configs";
    [YamlKey("region")] public string? Region { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("tag_separator")] public string? TagSeparator { get; set; } = ",";
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
}

[YamlType("marathon_sd_config")]
public sealed class MarathonSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "marathon_sd_configs";
    [YamlKey("servers")] public List<string>? Servers { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(30);
    [YamlKey("auth_token")] public Secret? AuthToken { get; set; }
    [YamlKey("auth_token_file")] public string? AuthTokenFile { get; set; }

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        if (!string.IsNullOrEmpty(AuthTokenFile)) yield return (this, "auth_token_file", AuthTokenFile);
    }

    internal override void Validate(LoadContext ctx)
    {
        if (Servers is null || Servers.Count == 0) { ctx.Error(this, IsSet("servers") ? "servers" : null, "marathon_sd: must contain at least one Marathon server"); return; }
        bool at = !string.IsNullOrEmpty(AuthToken?.Value), atf = !string.IsNullOrEmpty(AuthTokenFile);
        if (at && atf) ctx.Error(this, "auth_token", "marathon_sd: at most one of auth_token & auth_token_file must be configured");
        else if ((at || atf) && IsSet("basic_auth")) ctx.Error(this, "auth_token", "marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be configured");
        else if ((at || atf) && (IsSet("bearer_token") || IsSet("bearer_token_file"))) ctx.Error(this, "auth_token", "marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured");
        else if ((at || atf) && IsSet("authorization")) ctx.Error(this, "auth_token", "marathon_sd: at most one of auth_token, auth_token_file & authorization must be configured");
    }
}

/// <summary>Zookeeper-based kinds (nerve and serverset).</summary>
public abstract class ZookeeperSdConfig : ServiceDiscoveryConfig
{
    [YamlKey("servers")] public List<string>? Servers { get; set; }
    [YamlKey("paths")] public List<string>? Paths { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; } = Duration.FromSeconds(10);

    private protected abstract string Name { get; }

    internal override void Validate(LoadContext ctx)
    {
        if (Servers is null || Servers.Count == 0) ctx.Error(this, null, $"{Name} SD config must contain at least one Zookeeper server");
        if (Paths is null || Paths.Count == 0) ctx.Error(this, null, $"{Name} SD config must contain at least one path");
        foreach (var p in Paths ?? [])
            if (p is null || !p.StartsWith('/')) ctx.Error(this, "paths", $"{Name} SD config paths must begin with '/'");
    }
}

[YamlType("nerve_sd_config")]
public sealed class NerveSdConfig : ZookeeperSdConfig
{
    public override string Key => "nerve_sd_configs";
    private protected override string Name => "nerve";
}

[YamlType("serverset_sd_config")]
public sealed class ServersetSdConfig : ZookeeperSdConfig
{
    public override string Key => "serverset_sd_configs";
    private protected override string Name => "serverset";
}

[YamlType("nomad_sd_config")]
public sealed class NomadSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "nomad_sd_configs";
    [YamlKey("allow_stale")] public bool AllowStale { get; set; } = true;
    [YamlKey("namespace")] public string? Namespace { get; set; } = "default";
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("region")] public string? Region { get; set; } = "global";
    [YamlKey("server")] public string? Server { get; set; }
    [YamlKey("tag_separator")] public string? TagSeparator { get; set; } = ",";

    internal override void Validate(LoadContext ctx) => Require(ctx, this, Server, "server", "nomad SD configuration requires a server address");
}

[YamlType("oci_sd_config")]
public sealed class OciSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "oci_sd_configs";
    [YamlKey("auth")] public string? Auth { get; set; } = "api_key";
    [YamlKey("tenancy")] public string? Tenancy { get; set; }
    [YamlKey("user")] public string? User { get; set; }
    [YamlKey("fingerprint")] public string? Fingerprint { get; set; }
    [YamlKey("key_file")] public string? KeyFile { get; set; }
    [YamlKey("key_passphrase")] public Secret? KeyPassphrase { get; set; }
    [YamlKey("key_passphrase_file")] public string? KeyPassphraseFile { get; set; }
    [YamlKey("region")] public string? Region { get; set; }
    [YamlKey("compartments")] public List<string>? Compartments { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        if (!string.IsNullOrEmpty(KeyFile)) yield return (this, "key_file", KeyFile);
        if (!string.IsNullOrEmpty(KeyPassphraseFile)) yield return (this, "key_passphrase_file", KeyPassphraseFile);
    }

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Region, "region", "oci SD configuration requires a region");
        OneOf(ctx, this, Auth, "auth", ["api_key", "instance_principal", "workload_identity"],
            a => $"unknown auth \"{a}\" for oci SD (one of: api_key, instance_principal, workload_identity)");
        if (Auth == "api_key")
        {
            Require(ctx, this, Tenancy, "tenancy", "oci SD configuration with auth api_key requires a tenancy");
            Require(ctx, this, User, "user", "oci SD configuration with auth api_key requires a user");
            Require(ctx, this, Fingerprint, "fingerprint", "oci SD configuration with auth api_key requires a fingerprint");
            Require(ctx, this, KeyFile, "key_file", "oci SD configuration with auth api_key requires a key_file");
        }
    }
}

[YamlType("openstack_sd_config")]
public sealed class OpenStackSdConfig : ServiceDiscoveryConfig
{
    public override string Key => "openstack_sd_configs";
    [YamlKey("identity_endpoint")] public string? IdentityEndpoint { get; set; }
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("userid")] public string? UserId { get; set; }
    [YamlKey("password")] public Secret? Password { get; set; }
    [YamlKey("project_name")] public string? ProjectName { get; set; }
    [YamlKey("project_id")] public string? ProjectId { get; set; }
    [YamlKey("domain_name")] public string? DomainName { get; set; }
    [YamlKey("domain_id")] public string? DomainId { get; set; }
    [YamlKey("application_credential_name")] public string? ApplicationCredentialName { get; set; }
    [YamlKey("application_credential_id")] public string? ApplicationCredentialId { get; set; }
    [YamlKey("application_credential_secret")] public Secret? ApplicationCredentialSecret { get; set; }
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("region")] public string? Region { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("all_tenants")] public bool AllTenants { get; set; }
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlKey("availability")] public string? Availability { get; set; } = "public";

    internal override void Validate(LoadContext ctx)
    {
        if (Availability is not ("public" or "admin" or "internal"))
            ctx.Error(this, "availability", $"unknown availability {Availability}, must be one of admin, internal or public");
        if (string.IsNullOrEmpty(Role)) ctx.Error(this, null, "role missing (one of: instance, hypervisor, loadbalancer)");
        else OneOf(ctx, this, Role, "role", ["instance", "hypervisor", "loadbalancer"], r => $"unknown OpenStack SD role \"{r}\" (one of: instance, hypervisor, loadbalancer)");
        Require(ctx, this, Region, "region", "openstack SD configuration requires a region");
    }
}

[YamlType("outscale_sd_config")]
public sealed class OutscaleSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "outscale_sd_configs";
    [YamlKey("region")] public string? Region { get; set; } = "eu-west-2";
    [YamlKey("access_key")] public string? AccessKey { get; set; }
    [YamlKey("secret_key")] public Secret? SecretKey { get; set; }
    [YamlKey("secret_key_file")] public string? SecretKeyFile { get; set; }
    [YamlKey("endpoint")] public string? Endpoint { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        if (!string.IsNullOrEmpty(SecretKeyFile)) yield return (this, "secret_key_file", SecretKeyFile);
    }

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Region, "region", "outscale SD configuration requires a region");
        Require(ctx, this, AccessKey, "access_key", "outscale SD configuration requires an access_key");
        bool sk = !string.IsNullOrEmpty(SecretKey?.Value), skf = !string.IsNullOrEmpty(SecretKeyFile);
        if (sk && skf) ctx.Error(this, "secret_key", "at most one of secret_key & secret_key_file must be configured");
        else if (!sk && !skf) ctx.Error(this, null, "one of secret_key & secret_key_file must be configured");
    }
}

[YamlType("ovhcloud_sd_config")]
public sealed class OvhCloudSdConfig : ServiceDiscoveryConfig
{
    public override string Key => "ovhcloud_sd_configs";
    [YamlKey("endpoint")] public string? Endpoint { get; set; } = "ovh-eu";
    [YamlKey("application_key")] public string? ApplicationKey { get; set; }
    [YamlKey("application_secret")] public Secret? ApplicationSecret { get; set; }
    [YamlKey("consumer_key")] public Secret? ConsumerKey { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("service")] public string? Service { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        Require(ctx, this, Endpoint, "endpoint", "endpoint can not be empty");
        Require(ctx, this, ApplicationKey, "application_key", "application key can not be empty");
        Require(ctx, this, ApplicationSecret?.Value, "application_secret", "application secret can not be empty");
        Require(ctx, this, ConsumerKey?.Value, "consumer_key", "consumer key can not be empty");
        if (Service is not ("vps" or "dedicated_server")) ctx.Error(this, IsSet("service") ? "service" : null, $"unknown service: {Service} (one of: vps, dedicated_server)");
    }
}

[YamlType("puppetdb_sd_config")]
public sealed class PuppetDbSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "puppetdb_sd_configs";
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("query")] public string? Query { get; set; }
    [YamlKey("include_parameters")] public bool IncludeParameters { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Url)) ctx.Error(this, null, "URL is missing");
        else UrlCheck.Validate(ctx, this, "url", Url, requireHttp: true);
        if (string.IsNullOrEmpty(Query)) ctx.Error(this, null, "query missing");
    }
}

[YamlType("scaleway_sd_config")]
public sealed class ScalewaySdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "scaleway_sd_configs";
    [YamlKey("access_key")] public string? AccessKey { get; set; }
    [YamlKey("secret_key")] public Secret? SecretKey { get; set; }
    [YamlKey("secret_key_file")] public string? SecretKeyFile { get; set; }
    [YamlKey("project_id")] public string? ProjectId { get; set; }
    [YamlKey("role")] public string? Role { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("api_url")] public string? ApiUrl { get; set; } = "https://api.scaleway.com";
    [YamlKey("zone")] public string? Zone { get; set; } = "fr-par-1";
    [YamlKey("name_filter")] public string? NameFilter { get; set; }
    [YamlKey("tags_filter")] public List<string>? TagsFilter { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        if (!string.IsNullOrEmpty(SecretKeyFile)) yield return (this, "secret_key_file", SecretKeyFile);
    }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Role)) ctx.Error(this, null, "role missing (one of: instance, baremetal)");
        else OneOf(ctx, this, Role, "role", ["instance", "baremetal"], r => $"unknown role \"{r}\" (one of: instance, baremetal)");
        Require(ctx, this, ProjectId, "project_id", "project_id is mandatory");
        bool sk = !string.IsNullOrEmpty(SecretKey?.Value), skf = !string.IsNullOrEmpty(SecretKeyFile);
        if (sk && skf) ctx.Error(this, "secret_key", "at most one of secret_key & secret_key_file must be configured");
        else if (!sk && !skf) ctx.Error(this, null, "one of secret_key & secret_key_file must be configured");
        Require(ctx, this, AccessKey, "access_key", "access_key is mandatory");
    }
}

[YamlType("stackit_sd_config")]
public sealed class StackitSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "stackit_sd_configs";
    [YamlKey("endpoint")] public string? Endpoint { get; set; }
    [YamlKey("region")] public string? Region { get; set; }
    [YamlKey("project")] public string? Project { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("private_key")] public Secret? PrivateKey { get; set; }
    [YamlKey("private_key_path")] public string? PrivateKeyPath { get; set; }
    [YamlKey("service_account_key")] public Secret? ServiceAccountKey { get; set; }
    [YamlKey("service_account_key_path")] public string? ServiceAccountKeyPath { get; set; }
    [YamlKey("credentials_file_path")] public string? CredentialsFilePath { get; set; }
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override IEnumerable<(ConfigObject, string, string)> FileReferences()
    {
        if (!string.IsNullOrEmpty(PrivateKeyPath)) yield return (this, "private_key_path", PrivateKeyPath);
        if (!string.IsNullOrEmpty(ServiceAccountKeyPath)) yield return (this, "service_account_key_path", ServiceAccountKeyPath);
        if (!string.IsNullOrEmpty(CredentialsFilePath)) yield return (this, "credentials_file_path", CredentialsFilePath);
    }

    internal override void Validate(LoadContext ctx)
    {
        if (!string.IsNullOrEmpty(Endpoint) && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host)))
            ctx.Error(this, "endpoint", $"invalid endpoint \"{Endpoint}\"");
    }
}

[YamlType("triton_sd_config")]
public sealed class TritonSdConfig : ServiceDiscoveryConfig
{
    public override string Key => "triton_sd_configs";
    [YamlKey("account")] public string? Account { get; set; }
    [YamlKey("role")] public string? Role { get; set; } = "container";
    [YamlKey("dns_suffix")] public string? DnsSuffix { get; set; }
    [YamlKey("endpoint")] public string? Endpoint { get; set; }
    [YamlKey("groups")] public List<string>? Groups { get; set; }
    [YamlKey("port")] public int Port { get; set; } = 9163;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlKey("version")] public int Version { get; set; } = 1;

    internal override void Validate(LoadContext ctx)
    {
        OneOf(ctx, this, Role, "role", ["container", "cn"], r => $"unknown role \"{r}\" in triton SD configuration (one of: container, cn)");
        Require(ctx, this, Account, "account", "triton SD configuration requires an account");
        Require(ctx, this, DnsSuffix, "dns_suffix", "triton SD configuration requires a dns_suffix");
        Require(ctx, this, Endpoint, "endpoint", "triton SD configuration requires an endpoint");
        if (RefreshInterval.Milliseconds <= 0) ctx.Error(this, "refresh_interval", "triton SD configuration requires RefreshInterval to be a positive integer");
    }
}

[YamlType("uyuni_sd_config")]
public sealed class UyuniSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "uyuni_sd_configs";
    [YamlKey("server")] public string? Server { get; set; }
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("password")] public Secret? Password { get; set; }
    [YamlKey("entitlement")] public string? Entitlement { get; set; } = "monitoring_entitled";
    [YamlKey("separator")] public string? Separator { get; set; } = ",";
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Server)) { ctx.Error(this, IsSet("server") ? "server" : null, "Uyuni SD configuration requires server host"); return; }
        Require(ctx, this, Username, "username", "Uyuni SD configuration requires a username");
        Require(ctx, this, Password?.Value, "password", "Uyuni SD configuration requires a password");
    }
}

[YamlType("vultr_sd_config")]
public sealed class VultrSdConfig : HttpServiceDiscoveryConfig
{
    public override string Key => "vultr_sd_configs";
    [YamlKey("port")] public int Port { get; set; } = 80;
    [YamlKey("refresh_interval")] public Duration RefreshInterval { get; set; } = Duration.FromSeconds(60);
}

/// <summary>The service-discovery lists a scrape or Alertmanager section may hold, in one inline block.</summary>
public sealed class ServiceDiscoveryConfigs : ConfigObject
{
    [YamlKey("aws_sd_configs")] public List<AwsSdConfig>? Aws { get; set; }
    [YamlKey("azure_sd_configs")] public List<AzureSdConfig>? Azure { get; set; }
    [YamlKey("consul_sd_configs")] public List<ConsulSdConfig>? Consul { get; set; }
    [YamlKey("digitalocean_sd_configs")] public List<DigitalOceanSdConfig>? DigitalOcean { get; set; }
    [YamlKey("docker_sd_configs")] public List<DockerSdConfig>? Docker { get; set; }
    [YamlKey("dockerswarm_sd_configs")] public List<DockerSwarmSdConfig>? DockerSwarm { get; set; }
    [YamlKey("dns_sd_configs")] public List<DnsSdConfig>? Dns { get; set; }
    [YamlKey("ec2_sd_configs")] public List<Ec2SdConfig>? Ec2 { get; set; }
    [YamlKey("eureka_sd_configs")] public List<EurekaSdConfig>? Eureka { get; set; }
    [YamlKey("file_sd_configs")] public List<FileSdConfig>? File { get; set; }
    [YamlKey("gce_sd_configs")] public List<GceSdConfig>? Gce { get; set; }
    [YamlKey("hetzner_sd_configs")] public List<HetznerSdConfig>? Hetzner { get; set; }
    [YamlKey("http_sd_configs")] public List<HttpSdConfig>? Http { get; set; }
    [YamlKey("ionos_sd_configs")] public List<IonosSdConfig>? Ionos { get; set; }
    [YamlKey("kubernetes_sd_configs")] public List<KubernetesSdConfig>? Kubernetes { get; set; }
    [YamlKey("kuma_sd_configs")] public List<KumaSdConfig>? Kuma { get; set; }
    [YamlKey("lightsail_sd_configs")] public List<LightsailSdConfig>? Lightsail { get; set; }
    [YamlKey("linode_sd_configs")] public List<LinodeSdConfig>? Linode { get; set; }
    [YamlKey("marathon_sd_configs")] public List<MarathonSdConfig>? Marathon { get; set; }
    [YamlKey("nerve_sd_configs")] public List<NerveSdConfig>? Nerve { get; set; }
    [YamlKey("nomad_sd_configs")] public List<NomadSdConfig>? Nomad { get; set; }
    [YamlKey("oci_sd_configs")] public List<OciSdConfig>? Oci { get; set; }
    [YamlKey("openstack_sd_configs")] public List<OpenStackSdConfig>? OpenStack { get; set; }
    [YamlKey("outscale_sd_configs")] public List<OutscaleSdConfig>? Outscale { get; set; }
    [YamlKey("ovhcloud_sd_configs")] public List<OvhCloudSdConfig>? OvhCloud { get; set; }
    [YamlKey("puppetdb_sd_configs")] public List<PuppetDbSdConfig>? PuppetDb { get; set; }
    [YamlKey("scaleway_sd_configs")] public List<ScalewaySdConfig>? Scaleway { get; set; }
    [YamlKey("serverset_sd_configs")] public List<ServersetSdConfig>? Serverset { get; set; }
    [YamlKey("stackit_sd_configs")] public List<StackitSdConfig>? Stackit { get; set; }
    [YamlKey("triton_sd_configs")] public List<TritonSdConfig>? Triton { get; set; }
    [YamlKey("uyuni_sd_configs")] public List<UyuniSdConfig>? Uyuni { get; set; }
    [YamlKey("vultr_sd_configs")] public List<VultrSdConfig>? Vultr { get; set; }
    [YamlKey("static_configs")] public List<StaticConfig>? Static { get; set; }

    /// <summary>Every discovery section, in the order of the lists above (null entries skipped).</summary>
    public IEnumerable<ServiceDiscoveryConfig> All()
    {
        foreach (var p in Binder.PropsOf(typeof(ServiceDiscoveryConfigs)))
            if (p.Property.GetValue(this) is System.Collections.IEnumerable list)
                foreach (var item in list)
                    if (item is ServiceDiscoveryConfig sd) yield return sd;
    }

    internal void ValidateSections(LoadContext ctx, ConfigObject owner)
    {
        foreach (var p in Binder.PropsOf(typeof(ServiceDiscoveryConfigs)))
        {
            if (p.Property.GetValue(this) is not System.Collections.IList list) continue;
            foreach (var item in list)
                if (item is null)
                    ctx.Error(owner, p.Key, p.Key == "static_configs" ? "empty or null section in static_configs" : $"empty or null section in {p.Key}");
        }
    }
}
