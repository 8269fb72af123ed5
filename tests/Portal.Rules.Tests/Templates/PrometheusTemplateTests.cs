using Portal.Model;
using Portal.Rules.Templates;

namespace Portal.Rules.Tests.Templates;

/// <summary>Prometheus's template expansion cases (template_test.go scenarios and the documented examples).</summary>
public class PrometheusTemplateTests
{
    private const string ExternalUrl = "http://testhost:9090/path/prefix";

    private static string Expand(string text, object? data = null, IReadOnlyList<TemplateSample>? queryResult = null, MissingKeyMode mode = MissingKeyMode.Zero)
    {
        var funcs = PrometheusTemplateFunctions.Create((_, _, _) => queryResult ?? [], 0, ExternalUrl);
        return new GoTemplate(funcs, mode).Parse("test", text).Execute("test", data);
    }

    private static TemplateSample S(double v, params string[] labels) => TemplateSample.From(Labels.FromStrings(labels), v);

    public static TheoryData<string, object?, string> Outputs => new()
    {
        { "plain text", null, "plain text" },
        { "{{ 1 }}", null, "1" },
        { "{{ \"<b>\" }}", null, "<b>" },
        { "{{define \"x\"}}{{.arg0}} {{.arg1}}{{end}}{{template \"x\" (args 1 \"2\")}}", null, "1 2" },
        { "{{ \"foo.example.com\" | stripPort }}", null, "foo.example.com" },
        { "{{ \"foo.example.com:12345\" | stripPort }}", null, "foo.example.com" },
        { "{{ \"192.0.2.1\" | stripPort }}", null, "192.0.2.1" },
        { "{{ \"192.0.2.1:12345\" | stripPort }}", null, "192.0.2.1" },
        { "{{ \"2001:0DB8::1\" | stripPort }}", null, "2001:0DB8::1" },
        { "{{ \"[2001:0DB8::1]:12345\" | stripPort }}", null, "2001:0DB8::1" },
        { "{{ \"[2001:0DB8::1]::12345\" | stripPort }}", null, "[2001:0DB8::1]::12345" },
        { "{{ .Foo }}", null, "<no value>" },
        { "{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", null, "xa" },
        { "{{ range . }}{{ humanize . }}:{{ end }}", new List<double> { 0.0, 1.0, 1234567.0, .12 }, "0:1:1.235M:120m:" },
        { "{{ range . }}{{ humanize . }}:{{ end }}", new List<string> { "0.0", "1.0", "1234567.0", ".12" }, "0:1:1.235M:120m:" },
        { "{{ range . }}{{ humanize . }}:{{ end }}", new List<long> { 0, -1, 1, 1234567, long.MaxValue }, "0:-1:1:1.235M:9.223E:" },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", new List<double> { 0.0, 1.0, 1048576.0, .12 }, "0:1:1Mi:0.12:" },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", new List<string> { "0.0", "1.0", "1048576.0", ".12" }, "0:1:1Mi:0.12:" },
        { "{{ range . }}{{ humanize1024 . }}:{{ end }}", new List<long> { 0, -1, 1, 1234567, long.MaxValue }, "0:-1:1:1.177Mi:8Ei:" },
        {
            "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            new List<double> { 0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99 },
            "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:"
        },
        { "{{ range . }}{{ humanizeDuration . }}:{{ end }}", new List<string> { "0", "1", "60", "3600", "86400" }, "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:" },
        { "{{ range . }}{{ humanizeDuration . }}:{{ end }}", new List<double> { .1, .0001, .12345, 60.1, 60.5, 1.2345, 12.345 }, "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:" },
        { "{{ range . }}{{ humanizeDuration . }}:{{ end }}", new List<int> { 0, -1, 1, 1234567 }, "0s:-1s:1s:14d 6h 56m 7s:" },
        {
            "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            new List<double> { double.PositiveInfinity, double.NegativeInfinity, double.NaN },
            "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:"
        },
        {
            "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            new List<string> { "+Inf", "-Inf", "NaN" },
            "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:"
        },
        { "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}", null, "-22.22%:0%:12.35%:123.5%" },
        { "{{ range . }}{{ humanizePercentage . }}:{{ end }}", new List<long> { 0, -1, 1, 1234567, long.MaxValue }, "0%:-100%:100%:1.235e+08%:9.223e+20%:" },
        { "{{ \"-0.22222\" | humanizePercentage }}:{{ \"0.0\" | humanizePercentage }}:{{ \"0.1234567\" | humanizePercentage }}:{{ \"1.23456\" | humanizePercentage }}", null, "-22.22%:0%:12.35%:123.5%" },
        {
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            new List<long> { 0, -1, 1, 1234567, 9223372036 },
            "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:"
        },
        { "{{ 1435065584.128 | humanizeTimestamp }}", null, "2015-06-23 13:19:44.128 +0000 UTC" },
        { "{{ \"1435065584.128\" | humanizeTimestamp }}", null, "2015-06-23 13:19:44.128 +0000 UTC" },
        { "{{ (1435065584.128 | toTime).Format \"2006\" }}", null, "2015" },
        { "{{ (\"1435065584.128\" | toTime).Format \"2006\" }}", null, "2015" },
        { "{{ \"aa bb CC\" | title }}", null, "Aa Bb CC" },
        { "{{ \"aa bb CC\" | toUpper }}", null, "AA BB CC" },
        { "{{ \"aA bB CC\" | toLower }}", null, "aa bb cc" },
        { "{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}", null, "true false" },
        { "{{ graphLink \"up\" }}", null, "/graph?g0.expr=up&g0.tab=0" },
        { "{{ tableLink \"up\" }}", null, "/graph?g0.expr=up&g0.tab=1" },
        { "{{ pathPrefix }}", null, "/path/prefix" },
        { "{{ externalURL }}", null, "http://testhost:9090/path/prefix" },
        { "{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", null, "3720.01" },
        { "{{ \"foo.example.com\" | stripDomain }}", null, "foo" },
        { "{{ \"foo.example.com:12345\" | stripDomain }}", null, "foo:12345" },
        { "{{ \"192.0.2.1\" | stripDomain }}", null, "192.0.2.1" },
        { "{{ \"192.0.2.1:12345\" | stripDomain }}", null, "192.0.2.1:12345" },
        { "{{ \"2001:0DB8::1\" | stripDomain }}", null, "2001:0DB8::1" },
        { "{{ \"[2001:0DB8::1]:12345\" | stripDomain }}", null, "[2001:0DB8::1]:12345" },
        { "{{ \"[2001:0DB8::1]::12345\" | stripDomain }}", null, "[2001:0DB8::1]::12345" },
        { "{{ urlQueryEscape \"a b&c=d/é\" }}", null, "a+b%26c%3Dd%2F%C3%A9" },
        { "{{ 3600 | toDuration }}", null, "1h0m0s" },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void ExpandsAsPrometheus(string text, object? data, string expected) => Assert.Equal(expected, Expand(text, data, mode: MissingKeyMode.Default));

    public static TheoryData<string, object?, string> Errors => new()
    {
        { "{{ \u00a0}}", null, "template: test:1: unrecognized character in action: U+00A0" },
        { "{{", null, "template: test:1: unclosed action" },
        { "{{ humanize \"one\" }}", null, "template: test:1:3: executing \"test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax" },
        { "{{ humanize1024 \"one\" }}", null, "template: test:1:3: executing \"test\" at <humanize1024 \"one\">: error calling humanize1024: strconv.ParseFloat: parsing \"one\": invalid syntax" },
        { "{{ humanizeDuration \"one\" }}", null, "template: test:1:3: executing \"test\" at <humanizeDuration \"one\">: error calling humanizeDuration: strconv.ParseFloat: parsing \"one\": invalid syntax" },
        { "{{ \"one\" | humanizePercentage }}", null, "template: test:1:11: executing \"test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax" },
        {
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}", new List<long> { long.MinValue, long.MaxValue },
            "template: test:1:16: executing \"test\" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64"
        },
        { "{{ query \"missing\" | first }}", null, "template: test:1:21: executing \"test\" at <first>: error calling first: first() called on vector with no elements" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void FailsAsPrometheus(string text, object? data, string message)
    {
        var e = Assert.Throws<TemplateException>(() => Expand(text, data));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MissingKeyErrorMode()
    {
        var e = Assert.Throws<TemplateException>(() => Expand("{{ .Foo }}", null, mode: MissingKeyMode.Error));
        Assert.Equal("template: test:1:3: executing \"test\" at <.Foo>: nil data; no entry for key \"Foo\"", e.Message);
        Assert.Equal(1, e.Line);
        Assert.Equal(4, e.Column);
    }

    [Fact]
    public void HtmlModeEscapesUnlessSafe()
    {
        string Html(string text) => new GoTemplate(PrometheusTemplateFunctions.Create(null, 0, ExternalUrl), MissingKeyMode.Zero, escapeHtml: true)
            .Parse("test", text).Execute("test", null);
        Assert.Equal("&lt;b&gt; a&#43;b", Html("{{ \"<b>\" }} {{ \"a+b\" }}"));
        Assert.Equal("<b>", Html("{{ \"<b>\" | safeHtml }}"));
        Assert.Equal("", Html("{{ .Foo }}"));
        Assert.Equal("<b>", Expand("{{ \"<b>\" | safeHtml }}"));
    }

    [Fact]
    public void QueryResults()
    {
        var a = S(11, "__name__", "metric", "instance", "a");
        var b = S(21, "__name__", "metric", "instance", "b");
        Assert.Equal("1.5", Expand("{{ query \"1.5\" | first | value }}", queryResult: [S(1.5)]));
        Assert.Equal("11", Expand("{{ query \"metric{instance='a'}\" | first | value }}", queryResult: [a]));
        Assert.Equal("a", Expand("{{ query \"metric{instance='a'}\" | first | label \"instance\" }}", queryResult: [a]));
        Assert.Equal("a", Expand("{{ query \"metric{__value__='a'}\" | first | strvalue }}", queryResult: [S(11, "__name__", "metric", "__value__", "a")]));
        Assert.Equal("", Expand("{{ query \"metric{instance='a'}\" | first | label \"foo\" }}", queryResult: [a]));
        Assert.Equal("", Expand("{{ $x := query \"metric\" | first }}{{ $x.Labels.foo }}", queryResult: [a]));
        Assert.Equal("a:11: b:21: ", Expand("{{ range query \"metric\" | sortByLabel \"instance\" }}{{.Labels.instance}}:{{.Value}}: {{end}}", queryResult: [b, a]));
    }

    [Fact]
    public void DocumentedExamples()
    {
        var up = new List<TemplateSample> { S(1, "__name__", "up", "instance", "h1:9100"), S(0, "__name__", "up", "instance", "h2:9100") };
        Assert.Equal("\n  h1:9100 1\n\n  h2:9100 0\n", Expand("{{ range query \"up\" }}\n  {{ .Labels.instance }} {{ .Value }}\n{{ end }}", queryResult: up));
        Assert.Equal("\n  1.235M\n", Expand("{{ with query \"some_metric{instance='someinstance'}\" }}\n  {{ . | first | value | humanize }}\n{{ end }}", queryResult: [S(1234567)]));
        var data = new Dictionary<string, object> { ["Params"] = new Dictionary<string, string> { ["instance"] = "h1" } };
        Assert.Equal("\n  2GiB\n", Expand("{{ with printf \"node_memory_MemTotal{job='node',instance='%s'}\" .Params.instance | query }}\n  {{ . | first | value | humanize1024 }}B\n{{ end }}", data, [S(2147483648)]));
        Assert.Equal("\n\n\n  First argument: 1\n  Second argument: 2\n",
            Expand("{{/* Define the template */}}\n{{define \"myMultiArgTemplate\"}}\n  First argument: {{.arg0}}\n  Second argument: {{.arg1}}\n{{end}}\n{{template \"myMultiArgTemplate\" (args 1 2)}}"));
    }
}
