using Portal.Config.Prometheus;
using Portal.Config.Relabeling;
using Portal.Model;

namespace Portal.Config.Tests;

/// <summary>Relabeling semantics, table-driven (cases follow Prometheus's documented behaviour).</summary>
public class RelabelerTests
{
    private static List<RelabelConfig> Configs(string yaml)
    {
        var r = PrometheusConfigLoader.Load("scrape_configs:\n  - job_name: t\n    relabel_configs:\n" +
            string.Join("\n", yaml.Split('\n').Select(l => "      " + l)) + "\n", "t.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return r.Config!.ScrapeConfigs![0].RelabelConfigs!;
    }

    private static Labels L(params string[] kv) => Labels.FromStrings(kv);

    public static TheoryData<string, string[], string[]?> Cases() => new()
    {
        // replace with capture groups, ${1} and $1
        { "- source_labels: [a]\n  regex: f(.*)\n  target_label: d\n  replacement: ch${1}-ch${1}", ["a", "foo", "b", "bar"], ["a", "foo", "b", "bar", "d", "choo-choo"] },
        { "- source_labels: [a, b]\n  regex: f(.*);(.*)r\n  target_label: a\n  replacement: b${1}${2}m", ["a", "foo", "b", "bar"], ["a", "boobam", "b", "bar"] },
        // unanchored-looking regex is anchored: no match, no change
        { "- source_labels: [a]\n  regex: o\n  target_label: x\n  replacement: y", ["a", "foo"], ["a", "foo"] },
        // $1x is the group named "1x": empty, so the target gets deleted
        { "- source_labels: [a]\n  regex: (f)oo\n  target_label: a\n  replacement: $1x", ["a", "foo"], [] },
        // $$ is a literal dollar
        { "- source_labels: [a]\n  regex: (.*)\n  target_label: a\n  replacement: $$$1", ["a", "foo"], ["a", "$foo"] },
        // target label from a group
        { "- source_labels: [a]\n  regex: (.*)=(.*)\n  target_label: ${1}\n  replacement: ${2}", ["a", "env=prod"], ["a", "env=prod", "env", "prod"] },
        // invalid target label name after expansion: nothing happens
        { "- source_labels: [a]\n  regex: (.*)\n  target_label: ${1}\n  replacement: x", ["a", ""], ["a", ""] },
        // fast path: static value
        { "- target_label: env\n  replacement: prod", ["a", "1"], ["a", "1", "env", "prod"] },
        // named groups are numbered left to right as in RE2
        { "- source_labels: [a]\n  regex: (?P<first>\\w+)-(\\w+)\n  target_label: x\n  replacement: ${first}/$2", ["a", "ab-cd"], ["a", "ab-cd", "x", "ab/cd"] },
        // keep / drop
        { "- source_labels: [a]\n  regex: f.*\n  action: keep", ["a", "foo"], ["a", "foo"] },
        { "- source_labels: [a]\n  regex: f.*\n  action: keep", ["a", "boo"], null },
        { "- source_labels: [a]\n  regex: f.*\n  action: drop", ["a", "foo"], null },
        { "- source_labels: [missing]\n  regex: ''\n  action: drop", ["a", "foo"], null },
        // keepequal / dropequal
        { "- source_labels: [a]\n  target_label: b\n  action: keepequal", ["a", "x", "b", "x"], ["a", "x", "b", "x"] },
        { "- source_labels: [a]\n  target_label: b\n  action: keepequal", ["a", "x", "b", "y"], null },
        { "- source_labels: [a]\n  target_label: b\n  action: dropequal", ["a", "x", "b", "x"], null },
        // hashmod: last 8 bytes of MD5, big endian
        { "- source_labels: [c]\n  target_label: d\n  modulus: 1000\n  action: hashmod", ["c", "baz"], ["c", "baz", "d", "976"] },
        { "- source_labels: [__address__]\n  target_label: __tmp_hash\n  modulus: 8\n  action: hashmod", ["__address__", "localhost:9090"], ["__address__", "localhost:9090", "__tmp_hash", "2"] },
        // labelmap
        { "- regex: __meta_kubernetes_(.+)\n  action: labelmap", ["__meta_kubernetes_pod", "p", "a", "1"], ["__meta_kubernetes_pod", "p", "a", "1", "pod", "p"] },
        { "- regex: (b.*)\n  replacement: bar_${1}\n  action: labelmap", ["a", "1", "bx", "2"], ["a", "1", "bar_bx", "2", "bx", "2"] },
        // labeldrop / labelkeep
        { "- regex: b.*\n  action: labeldrop", ["a", "1", "b1", "2", "cb", "3"], ["a", "1", "cb", "3"] },
        { "- regex: b.*\n  action: labelkeep", ["a", "1", "b1", "2"], ["b1", "2"] },
        // lowercase / uppercase
        { "- source_labels: [a]\n  target_label: a\n  action: lowercase", ["a", "FoO"], ["a", "foo"] },
        { "- source_labels: [a, b]\n  target_label: c\n  action: uppercase", ["a", "x", "b", "y"], ["a", "x", "b", "y", "c", "X;Y"] },
        // regex '.' matches newline
        { "- source_labels: [a]\n  regex: a.b\n  action: keep", ["a", "a\nb"], ["a", "a\nb"] },
        // separator
        { "- source_labels: [a, b]\n  separator: ','\n  regex: 1,2\n  action: drop", ["a", "1", "b", "2"], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Relabel(string yaml, string[] input, string[]? expected)
    {
        var result = Relabeler.Process(L(input), Configs(yaml));
        if (expected is null) Assert.Null(result);
        else Assert.Equal(L(expected), result);
    }

    [Fact]
    public void StepsRunInOrder()
    {
        var cfgs = Configs("""
            - source_labels: [__meta_ec2_tag_Name]
              regex: Prometheus.*
              action: keep
            - source_labels: [__meta_ec2_public_ip]
              regex: '(.*)'
              target_label: __address__
              replacement: '${1}:9100'
            """);
        var kept = Relabeler.Process(L("__address__", "10.0.0.1:80", "__meta_ec2_public_ip", "1.2.3.4", "__meta_ec2_tag_Name", "Prometheus-1"), cfgs);
        Assert.Equal("1.2.3.4:9100", kept!.Get("__address__"));
        Assert.Null(Relabeler.Process(L("__meta_ec2_tag_Name", "web"), cfgs));
    }
}
