using Portal.Config.Prometheus;

namespace Portal.Config.Tests;

/// <summary>Prometheus's own config/testdata: every *.good.yml loads, every *.bad.yml is refused with the right reason.</summary>
public class PrometheusUpstreamTests
{
    private static string Dir => SharedData.Path_("upstream", "prometheus", "config", "testdata");

    public static TheoryData<string> GoodFiles() => Files("*.good.yml");
    public static TheoryData<string> BadFiles() => Files("*.bad.yml");

    private static TheoryData<string> Files(string pattern)
    {
        var data = new TheoryData<string>();
        if (!SharedData.Available) { data.Add("(shared data absent)"); return data; }
        var files = Directory.GetFiles(Dir, pattern);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var f in files) data.Add(Path.GetFileName(f));
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(GoodFiles))]
    public void GoodFileLoads(string name)
    {
        var r = PrometheusConfigLoader.LoadFile(Path.Combine(Dir, name));
        Assert.True(r.Success, string.Join("\n", r.Errors));
    }

    /// <summary>Substrings of the messages Prometheus's own tests expect (config_test.go); ours say the same, with a position.</summary>
    private static readonly Dictionary<string, string> ExpectedMessages = new()
    {
        ["jobname.bad.yml"] = "job_name is empty",
        ["jobname_dup.bad.yml"] = "found multiple scrape configs with job name \"prometheus\"",
        ["scrape_interval.bad.yml"] = "scrape timeout greater than scrape interval",
        ["labelname.bad.yml"] = "!!binary value",
        ["labelvalue.bad.yml"] = "!!binary value",
        ["regex.bad.yml"] = "error parsing regexp",
        ["modulus_missing.bad.yml"] = "relabel configuration for hashmod requires non-zero modulus",
        ["labelkeep.bad.yml"] = "labelkeep action requires only 'regex', and no other fields",
        ["labelkeep2.bad.yml"] = "labelkeep action requires only 'regex', and no other fields",
        ["labelkeep3.bad.yml"] = "labelkeep action requires only 'regex', and no other fields",
        ["labelkeep4.bad.yml"] = "labelkeep action requires only 'regex', and no other fields",
        ["labelkeep5.bad.yml"] = "labelkeep action requires only 'regex', and no other fields",
        ["labeldrop.bad.yml"] = "labeldrop action requires only 'regex', and no other fields",
        ["labeldrop2.bad.yml"] = "labeldrop action requires only 'regex', and no other fields",
        ["labeldrop3.bad.yml"] = "labeldrop action requires only 'regex', and no other fields",
        ["labeldrop4.bad.yml"] = "labeldrop action requires only 'regex', and no other fields",
        ["labeldrop5.bad.yml"] = "labeldrop action requires only 'regex', and no other fields",
        ["dropequal.bad.yml"] = "relabel configuration for dropequal action requires 'target_label' value",
        ["dropequal1.bad.yml"] = "dropequal action requires only 'source_labels' and `target_label`, and no other fields",
        ["keepequal.bad.yml"] = "relabel configuration for keepequal action requires 'target_label' value",
        ["keepequal1.bad.yml"] = "keepequal action requires only 'source_labels' and `target_label`, and no other fields",
        ["labelmap.bad.yml"] = "!!binary value contains invalid base64 data",
        ["lowercase.bad.yml"] = "relabel configuration for lowercase action requires 'target_label' value",
        ["lowercase3.bad.yml"] = "'replacement' can not be set for lowercase action",
        ["uppercase.bad.yml"] = "relabel configuration for uppercase action requires 'target_label' value",
        ["uppercase3.bad.yml"] = "'replacement' can not be set for uppercase action",
        ["rules.bad.yml"] = "invalid rule file path",
        ["unknown_attr.bad.yml"] = "field consult_sd_configs not found in type",
        ["bearertoken.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["bearertoken_basicauth.bad.yml"] = "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
        ["kubernetes_http_config_without_api_server.bad.yml"] = "to use custom HTTP client configuration please provide the 'api_server' URL explicitly",
        ["kubernetes_kubeconfig_with_own_namespace.bad.yml"] = "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously",
        ["kubernetes_api_server_with_own_namespace.bad.yml"] = "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously",
        ["kubernetes_kubeconfig_with_apiserver.bad.yml"] = "cannot use 'kubeconfig_file' and 'api_server' simultaneously",
        ["kubernetes_kubeconfig_with_http_config.bad.yml"] = "cannot use a custom HTTP client configuration together with 'kubeconfig_file'",
        ["kubernetes_bearertoken.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["kubernetes_role.bad.yml"] = "role",
        ["kubernetes_selectors_endpoints.bad.yml"] = "endpoints role supports only pod, service, endpoints selectors",
        ["kubernetes_selectors_ingress.bad.yml"] = "ingress role supports only ingress selectors",
        ["kubernetes_selectors_node.bad.yml"] = "node role supports only node selectors",
        ["kubernetes_selectors_pod.bad.yml"] = "pod role supports only pod, node selectors",
        ["kubernetes_selectors_service.bad.yml"] = "service role supports only service selectors",
        ["kubernetes_namespace_discovery.bad.yml"] = "field foo not found in type",
        ["kubernetes_selectors_duplicated_role.bad.yml"] = "duplicated selector role: pod",
        ["kubernetes_selectors_incorrect_selector.bad.yml"] = "invalid selector: 'metadata.status-Running'; can't understand 'metadata.status-Running'",
        ["kubernetes_bearertoken_basicauth.bad.yml"] = "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
        ["kubernetes_authorization_basicauth.bad.yml"] = "at most one of basic_auth, oauth2 & authorization must be configured",
        ["marathon_no_servers.bad.yml"] = "marathon_sd: must contain at least one Marathon server",
        ["marathon_authtoken_authtokenfile.bad.yml"] = "marathon_sd: at most one of auth_token & auth_token_file must be configured",
        ["marathon_authtoken_basicauth.bad.yml"] = "marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be configured",
        ["marathon_authtoken_bearertoken.bad.yml"] = "marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured",
        ["marathon_authtoken_authorization.bad.yml"] = "marathon_sd: at most one of auth_token, auth_token_file & authorization must be configured",
        ["openstack_role.bad.yml"] = "unknown OpenStack SD role",
        ["openstack_availability.bad.yml"] = "unknown availability invalid, must be one of admin, internal or public",
        ["url_in_targetgroup.bad.yml"] = "\"http://bad\" is not a valid hostname",
        ["target_label_missing.bad.yml"] = "relabel configuration for replace action requires 'target_label' value",
        ["target_label_hashmod_missing.bad.yml"] = "relabel configuration for hashmod action requires 'target_label' value",
        ["unknown_global_attr.bad.yml"] = "field nonexistent_field not found in type",
        ["remote_read_url_missing.bad.yml"] = "url for remote_read is empty",
        ["remote_write_header.bad.yml"] = "x-prometheus-remote-write-version is a reserved header. It must not be changed",
        ["remote_read_header.bad.yml"] = "x-prometheus-remote-write-version is a reserved header. It must not be changed",
        ["remote_write_authorization_header.bad.yml"] = "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter",
        ["remote_write_wrong_msg.bad.yml"] = "invalid protobuf_message value: unknown type for remote write protobuf message io.prometheus.writet.v2.Request, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request",
        ["remote_write_url_missing.bad.yml"] = "url for remote_write is empty",
        ["remote_write_dup.bad.yml"] = "found multiple remote write configs with job name \"queue1\"",
        ["remote_read_dup.bad.yml"] = "found multiple remote read configs with job name \"queue1\"",
        ["ec2_filters_empty_values.bad.yml"] = "EC2 SD configuration filter values cannot be empty",
        ["ec2_token_file.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["lightsail_token_file.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["section_key_dup.bad.yml"] = "field scrape_configs already set in type",
        ["azure_client_id_missing.bad.yml"] = "azure SD configuration requires a client_id",
        ["azure_client_secret_missing.bad.yml"] = "azure SD configuration requires a client_secret",
        ["azure_subscription_id_missing.bad.yml"] = "azure SD configuration requires a subscription_id",
        ["azure_tenant_id_missing.bad.yml"] = "azure SD configuration requires a tenant_id",
        ["azure_authentication_method.bad.yml"] = "unknown authentication_type \"invalid\". Supported types are \"OAuth\", \"ManagedIdentity\" or \"SDK\"",
        ["azure_bearertoken_basicauth.bad.yml"] = "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
        ["empty_scrape_config.bad.yml"] = "empty or null scrape config section",
        ["empty_rw_config.bad.yml"] = "empty or null remote write config section",
        ["empty_rr_config.bad.yml"] = "empty or null remote read config section",
        ["empty_target_relabel_config.bad.yml"] = "empty or null target relabeling rule",
        ["empty_metric_relabel_config.bad.yml"] = "empty or null metric relabeling rule",
        ["empty_alert_relabel_config.bad.yml"] = "empty or null alert relabeling rule",
        ["empty_alertmanager_relabel_config.bad.yml"] = "empty or null Alertmanager target relabeling rule",
        ["empty_rw_relabel_config.bad.yml"] = "empty or null relabeling rule in remote write config",
        ["empty_static_config.bad.yml"] = "empty or null section in static_configs",
        ["puppetdb_no_query.bad.yml"] = "query missing",
        ["puppetdb_no_url.bad.yml"] = "URL is missing",
        ["puppetdb_bad_url.bad.yml"] = "host is missing in URL",
        ["puppetdb_no_scheme.bad.yml"] = "URL scheme must be 'http' or 'https'",
        ["puppetdb_token_file.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["hetzner_role.bad.yml"] = "unknown role",
        ["eureka_no_server.bad.yml"] = "empty or null eureka server",
        ["eureka_invalid_server.bad.yml"] = "invalid eureka server URL",
        ["scaleway_role.bad.yml"] = "unknown role \"invalid\"",
        ["scaleway_no_secret.bad.yml"] = "one of secret_key & secret_key_file must be configured",
        ["scaleway_two_secrets.bad.yml"] = "at most one of secret_key & secret_key_file must be configured",
        ["scrape_body_size_limit.bad.yml"] = "units: unknown unit  in 100",
        ["http_url_no_scheme.bad.yml"] = "URL scheme must be 'http' or 'https'",
        ["http_url_no_host.bad.yml"] = "host is missing in URL",
        ["http_token_file.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["http_url_bad_scheme.bad.yml"] = "URL scheme must be 'http' or 'https'",
        ["empty_scrape_config_action.bad.yml"] = "relabel action cannot be empty",
        ["tracing_missing_endpoint.bad.yml"] = "tracing endpoint must be set",
        ["tracing_invalid_header.bad.yml"] = "x-prometheus-remote-write-version is a reserved header. It must not be changed",
        ["tracing_invalid_authorization_header.bad.yml"] = "authorization header configuration is not yet supported",
        ["tracing_invalid_compression.bad.yml"] = "invalid compression type foo provided, valid options: gzip",
        ["uyuni_no_server.bad.yml"] = "Uyuni SD configuration requires server host",
        ["uyuni_token_file.bad.yml"] = "at most one of bearer_token & bearer_token_file must be configured",
        ["ionos_datacenter.bad.yml"] = "datacenter id can't be empty",
        ["ovhcloud_no_secret.bad.yml"] = "application secret can not be empty",
        ["ovhcloud_bad_service.bad.yml"] = "unknown service: fakeservice",
        ["scrape_config_files_glob.bad.yml"] = "invalid scrape config file path \"scrape_configs/*/*\"",
        ["scrape_config_files_scrape_protocols.bad.yml"] = "scrape_protocols: unknown scrape protocol prometheusproto, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for scrape config with job name \"node\"",
        ["scrape_config_files_scrape_protocols2.bad.yml"] = "duplicated protocol in scrape_protocols, got [OpenMetricsText1.0.0 PrometheusProto OpenMetricsText1.0.0] for scrape config with job name \"node\"",
        ["scrape_config_files_fallback_scrape_protocol1.bad.yml"] = "invalid fallback_scrape_protocol for scrape config with job name \"node\": unknown scrape protocol prometheusproto, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0]",
        ["scrape_config_files_fallback_scrape_protocol2.bad.yml"] = "fallback_scrape_protocol: expected a string, got a sequence",
        ["scrape_config_utf8_conflicting.bad.yml"] = "utf8 metric names requested but validation scheme is not set to UTF8",
        ["stackit_endpoint.bad.yml"] = "invalid endpoint",
        ["scrape_config_files_double_import.bad.yml"] = "found multiple scrape configs with job name \"prometheus\"",
        ["scrape_config_files_duplicate.bad.yml"] = "found multiple scrape configs with job name \"prometheus\"",
        ["scrape_config_files_global.bad.yml"] = "scrape timeout greater than scrape interval for scrape config with job name \"prometheus\"",
    };

    [SharedTheory]
    [MemberData(nameof(BadFiles))]
    public void BadFileIsRejectedWithPosition(string name)
    {
        var r = PrometheusConfigLoader.LoadFile(Path.Combine(Dir, name));
        Assert.False(r.Success, $"{name} loaded but must be rejected");
        Assert.NotEmpty(r.Errors);
        foreach (var e in r.Errors)
        {
            Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString());
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
        if (ExpectedMessages.TryGetValue(name, out var expected))
            Assert.True(r.Errors.Any(e => e.Message.Contains(expected, StringComparison.Ordinal)),
                $"expected an error containing «{expected}», got:\n{string.Join("\n", r.Errors)}");
    }

    /// <summary>
    /// Files that carry neither suffix: agent-mode files are valid server configurations (Portal runs no agent
    /// mode, so they must load); "incompatible" OTLP files and the v1 Alertmanager API are refused; the
    /// validation-mode files load.
    /// </summary>
    public static TheoryData<string, bool> OtherFiles() => new()
    {
        { "agent_mode.with_alert_manager.yml", true },
        { "agent_mode.with_alert_relabels.yml", true },
        { "agent_mode.with_remote_reads.yml", true },
        { "agent_mode.with_rule_files.yml", true },
        { "agent_mode.without_remote_writes.yml", true },
        { "otlp_empty.yml", true },
        { "scrape_config_default_validation_mode.yml", true },
        { "scrape_config_global_validation_mode.yml", true },
        { "scrape_config_local_global_validation_mode.yml", true },
        { "scrape_config_local_infer_escaping.yml", true },
        { "scrape_config_local_validation_mode.yml", true },
        { "otlp_allow_utf8.incompatible.yml", false },
        { "otlp_no_translation.incompatible.yml", false },
        { "config_with_deprecated_am_api_config.yml", false },
    };

    [SharedTheory]
    [MemberData(nameof(OtherFiles))]
    public void OtherFilesFollowTheDocumentedDecision(string name, bool loads)
    {
        var r = PrometheusConfigLoader.LoadFile(Path.Combine(Dir, name));
        Assert.True(loads == r.Success, $"{name}: expected {(loads ? "success" : "failure")}; errors:\n{string.Join("\n", r.Errors)}");
    }
}
