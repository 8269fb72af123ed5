using Portal.Config.Prometheus;
using Portal.Ingest.Relabeling;
using Portal.Model;

namespace Portal.Ingest.Tests;

public class RelabelTests
{
    private static RelabelConfig R(string action = "replace", string[]? src = null, string? regex = null, string? target = null,
        string? replacement = null, ulong modulus = 0, string? separator = null) => new()
    {
        Action = action,
        SourceLabels = src?.ToList(),
        Regex = regex ?? RelabelConfig.DefaultRegex,
        TargetLabel = target,
        Replacement = replacement ?? RelabelConfig.DefaultReplacement,
        Modulus = modulus,
        Separator = separator ?? RelabelConfig.DefaultSeparator,
    };

    private static Labels L(params string[] kv) => Labels.FromStrings(kv);

    /// <summary>Prometheus's relabel test table (model/relabel): input, steps, expected output (null = dropped).</summary>
    public static TheoryData<string, Labels, RelabelConfig[], Labels?> Table() => new()
    {
        { "replace with groups", L("a", "foo", "b", "bar", "c", "baz"), [R(src: ["a"], regex: "f(.*)", target: "d", replacement: "ch${1}-ch${1}")],
            L("a", "foo", "b", "bar", "c", "baz", "d", "choo-choo") },
        { "two replaces", L("a", "foo", "b", "bar", "c", "baz"),
            [R(src: ["a", "b"], regex: "f(.*);(.*)r", target: "a", replacement: "b${1}${2}m"), R(src: ["c", "a"], regex: "(b).*b(.*)ba(.*)", target: "d", replacement: "$1$2$2$3")],
            L("a", "boobam", "b", "bar", "c", "baz", "d", "boooom") },
        { "drop first", L("a", "foo"), [R("drop", ["a"], ".*o.*"), R(src: ["a"], regex: "f(.*)", target: "d", replacement: "ch$1-ch$1")], null },
        { "drop", L("a", "foo", "b", "bar"), [R("drop", ["a"], ".*o.*")], null },
        { "unanchored group", L("a", "abc"), [R(src: ["a"], regex: ".*(b).*", target: "d", replacement: "$1")], L("a", "abc", "d", "b") },
        { "drop no match", L("a", "foo"), [R("drop", ["a"], "no-match")], L("a", "foo") },
        { "drop anchored alternation", L("a", "foo"), [R("drop", ["a"], "f|o")], L("a", "foo") },
        { "keep no match", L("a", "foo"), [R("keep", ["a"], "no-match")], null },
        { "keep match", L("a", "foo"), [R("keep", ["a"], "f.*")], L("a", "foo") },
        { "no match no replace", L("a", "boo"), [R(src: ["a"], regex: "f", target: "b", replacement: "bar")], L("a", "boo") },
        { "hashmod", L("a", "foo", "b", "bar", "c", "baz"), [R("hashmod", ["c"], target: "d", modulus: 1000)], L("a", "foo", "b", "bar", "c", "baz", "d", "976") },
        { "hashmod newline", L("a", "foo\nbar"), [R("hashmod", ["a"], target: "b", modulus: 1000)], L("a", "foo\nbar", "b", "734") },
        { "labelmap", L("a", "foo", "b1", "bar", "b2", "baz"), [R("labelmap", regex: "(b.*)", replacement: "bar_${1}")],
            L("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz") },
        { "labelmap meta", L("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc"), [R("labelmap", regex: "__meta_(my.*)", replacement: "${1}")],
            L("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc", "my_bar", "aaa", "my_baz", "bbb") },
        { "target from group", L("a", "some-name-value"), [R(src: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${1}", replacement: "${2}")], L("a", "some-name-value", "name", "value") },
        { "empty replacement", L("a", "some-name-value"), [R(src: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${1}", replacement: "${3}")], L("a", "some-name-value") },
        { "invalid target", L("a", "some-name-0"),
            [R(src: ["a"], regex: "some-([^-]+)-([^,]+)", target: "${3}", replacement: "${1}"), R(src: ["a"], regex: "some-([^-]+)(-[^,]+)", target: "${3}", replacement: "${1}")],
            L("a", "some-name-0") },
        { "real-life tags", L("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"),
            [R(src: ["__meta_sd_tags"], regex: "(?:.+,|^)path:(/[^,]+).*", target: "__metrics_path__", replacement: "${1}"),
             R(src: ["__meta_sd_tags"], regex: "(?:.+,|^)job:([^,]+).*", target: "job", replacement: "${1}"),
             R(src: ["__meta_sd_tags"], regex: "(?:.+,|^)label:([^=]+)=([^,]+).*", target: "${1}", replacement: "${2}")],
            L("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar", "__metrics_path__", "/secret", "job", "some-job", "foo", "bar") },
        { "issue 12283", L("__meta_kubernetes_pod_container_port_name", "foo", "__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"),
            [R("labeldrop", regex: "^__meta_kubernetes_pod_container_port_name$"),
             R(src: ["__meta_kubernetes_pod_annotation_XXX_metrics_port"], regex: "(.+)", target: "__meta_kubernetes_pod_container_port_name", replacement: "metrics"),
             R("keep", ["__meta_kubernetes_pod_container_port_name"], "^metrics$")],
            L("__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091", "__meta_kubernetes_pod_container_port_name", "metrics") },
        { "labelkeep", L("a", "foo", "b1", "bar", "b2", "baz"), [R("labelkeep", regex: "(b.*)")], L("b1", "bar", "b2", "baz") },
        { "labeldrop", L("a", "foo", "b1", "bar", "b2", "baz"), [R("labeldrop", regex: "(b.*)")], L("a", "foo") },
        { "upper and lower", L("foo", "bAr123Foo"), [R("uppercase", ["foo"], target: "foo_uppercase"), R("lowercase", ["foo"], target: "foo_lowercase")],
            L("foo", "bAr123Foo", "foo_lowercase", "bar123foo", "foo_uppercase", "BAR123FOO") },
        { "keepequal", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"), [R("keepequal", ["__tmp_port"], target: "__port1")], L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678") },
        { "dropequal", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"), [R("dropequal", ["__tmp_port"], target: "__port1")], null },
        { "dropequal no", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"), [R("dropequal", ["__tmp_port"], target: "__port2")], L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678") },
        { "keepequal no", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"), [R("keepequal", ["__tmp_port"], target: "__port2")], null },
        { "fast path set", L("a", "x"), [R(target: "env", replacement: "prod")], L("a", "x", "env", "prod") },
        { "fast path delete", L("a", "x", "env", "dev"), [R(src: ["missing"], target: "env", replacement: "")], L("a", "x") },
        { "$1x names group 1x", L("a", "foo"), [R(src: ["a"], regex: "(.*)", target: "b", replacement: "$1x")], L("a", "foo") },
        { "$$ is a dollar", L("a", "foo"), [R(src: ["a"], regex: "(.*)", target: "b", replacement: "$$${1}")], L("a", "foo", "b", "$foo") },
        // The seed's EC2 example: keep instances named Prometheus*, scrape their public IP on port 9100.
        { "seed ec2 kept", L("__address__", "10.0.0.1:80", "__meta_ec2_tag_Name", "Prometheus-1", "__meta_ec2_public_ip", "54.1.2.3"),
            [R("keep", ["__meta_ec2_tag_Name"], "Prometheus.*"), R(src: ["__meta_ec2_public_ip"], regex: "(.*)", target: "__address__", replacement: "${1}:9100")],
            L("__address__", "54.1.2.3:9100", "__meta_ec2_tag_Name", "Prometheus-1", "__meta_ec2_public_ip", "54.1.2.3") },
        { "seed ec2 dropped", L("__address__", "10.0.0.2:80", "__meta_ec2_tag_Name", "web-1"), [R("keep", ["__meta_ec2_tag_Name"], "Prometheus.*")], null },
        { "seed ec2 PROD instance label", L("__address__", "10.0.0.3:9100", "__meta_ec2_tag_Name", "PROD-db", "__meta_ec2_instance_id", "i-0abc"),
            [R("keep", ["__meta_ec2_tag_Name"], "PROD.*"), R(src: ["__meta_ec2_instance_id"], target: "instance")],
            L("__address__", "10.0.0.3:9100", "__meta_ec2_tag_Name", "PROD-db", "__meta_ec2_instance_id", "i-0abc", "instance", "i-0abc") },
        // The seed's Consul example writes replacement '\$1' (single-quoted YAML): the backslash stays literal.
        { "seed consul", L("__meta_consul_service", "python-flask", "__meta_consul_node", "node1", "__meta_consul_tags", ",production,"),
            [R(src: ["__meta_consul_service"], regex: "(.*)", target: "job", replacement: "\\$1"),
             R(src: ["__meta_consul_node"], regex: "(.*)", target: "instance", replacement: "\\$1"),
             R(src: ["__meta_consul_tags"], regex: ",(dev|production|canary),", target: "group", replacement: "\\$1")],
            L("__meta_consul_service", "python-flask", "__meta_consul_node", "node1", "__meta_consul_tags", ",production,",
              "job", "\\python-flask", "instance", "\\node1", "group", "\\production") },
        { "seed consul plain $1, tag not alone", L("__meta_consul_service", "web", "__meta_consul_tags", ",a,canary,"),
            [R(src: ["__meta_consul_service"], regex: "(.*)", target: "job", replacement: "$1"),
             R(src: ["__meta_consul_tags"], regex: ",(dev|production|canary),", target: "group", replacement: "$1")],
            L("__meta_consul_service", "web", "__meta_consul_tags", ",a,canary,", "job", "web") },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void MatchesPrometheus(string name, Labels input, RelabelConfig[] steps, Labels? expected)
    {
        var got = Relabeler.Process(input, steps);
        if (expected is null) Assert.True(got is null, $"{name}: expected drop, got {got}");
        else Assert.Equal(expected, got);
    }

    [Fact]
    public void ConfigFromYamlDefaults()
    {
        var yaml = """
            scrape_configs:
              - job_name: x
                static_configs: [{targets: ['a:1']}]
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '([^:]+):\d+'
                    target_label: host
            """;
        var res = PrometheusConfigLoader.Load(yaml, "t.yml");
        Assert.True(res.Success, string.Join("\n", res.Errors));
        var steps = res.Config!.ScrapeConfigs![0].RelabelConfigs!;
        Assert.Equal(L("__address__", "web:80", "host", "web"), Relabeler.Process(L("__address__", "web:80"), steps));
    }
}
