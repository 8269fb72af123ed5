using System.Text;
using Portal.Ingest.TextParse;
using Portal.Model;

namespace Portal.Ingest.Tests;

public class ParserTests
{
    private sealed record Got(Entry Kind, string? Name, string? Text, Labels? Labels, double Value, long? Ts, Exemplar? Ex, long? Ct);

    private static List<Got> ParseAll(string text, bool om)
    {
        var b = Encoding.UTF8.GetBytes(text);
        ExpositionParser p = om ? new OpenMetricsParser(b) : new PromTextParser(b);
        var list = new List<Got>();
        while (true)
        {
            var e = p.Next();
            switch (e)
            {
                case Entry.Eof:
                    return list;
                case Entry.Help:
                    list.Add(new Got(e, p.FamilyName, p.HelpText(), null, 0, null, null, null));
                    break;
                case Entry.Type:
                    list.Add(new Got(e, p.FamilyName, MetricTypes.Name(p.CurrentType), null, 0, null, null, null));
                    break;
                case Entry.Unit:
                    list.Add(new Got(e, p.FamilyName, p.UnitText, null, 0, null, null, null));
                    break;
                case Entry.Comment:
                    list.Add(new Got(e, null, p.CommentText, null, 0, null, null, null));
                    break;
                case Entry.Series:
                    Exemplar? ex = p.TryGetExemplar(out var x) ? x : null;
                    list.Add(new Got(e, null, null, p.Labels(), p.Value, p.HasTimestamp ? p.Timestamp : null, ex, p.CreatedTimestamp()));
                    break;
            }
        }
    }

    [Fact]
    public void PromTextAllEntryKinds()
    {
        var text = "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n" +
                   "# \tTYPE go_gc_duration_seconds summary\n" +
                   "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n" +
                   "go_gc_duration_seconds{quantile=\"1\",a=\"b\",} 8.3835e-05 1520879607789\n" +
                   "\n" +
                   "# Hrandom comment starting with prefix of HELP\n" +
                   "#\n" +
                   "  some:aggregate:rate5m{a_b=\"c\"}\t1\n" +
                   "# HELP nohelp1\n" +
                   "testmetric{label=\"\\\"bar\\\"\"} 1\n" +
                   "testmetric{le=\"10\"} 1\n" +
                   "# HELP metric foo\\x00bar\\\\ \\n\n" +
                   "null_byte_metric{a=\"abc\\x00\"} 1\n" +
                   "{\"my.dotted.name\", \"my label\"=\"v\"} -Inf -3\n";
        var got = ParseAll(text, om: false);
        Assert.Equal(Entry.Help, got[0].Kind);
        Assert.Equal("go_gc_duration_seconds", got[0].Name);
        Assert.Equal("A summary of the GC invocation durations.", got[0].Text);
        Assert.Equal(Entry.Type, got[1].Kind);
        Assert.Equal("summary", got[1].Text);
        Assert.Equal(Labels.FromStrings("__name__", "go_gc_duration_seconds", "quantile", "0.0"), got[2].Labels);
        Assert.Equal(4.9351e-05, got[2].Value);
        Assert.Null(got[2].Ts);
        Assert.Equal(Labels.FromStrings("__name__", "go_gc_duration_seconds", "quantile", "1.0", "a", "b"), got[3].Labels);
        Assert.Equal(1520879607789L, got[3].Ts);
        Assert.Equal(Entry.Comment, got[4].Kind);
        Assert.Equal("# Hrandom comment starting with prefix of HELP", got[4].Text);
        Assert.Equal("#", got[5].Text);
        Assert.Equal(Labels.FromStrings("__name__", "some:aggregate:rate5m", "a_b", "c"), got[6].Labels);
        Assert.Equal("", got[7].Text);
        Assert.Equal("\"bar\"", got[8].Labels!.Get("label"));
        Assert.Equal("10", got[9].Labels!.Get("le")); // no histogram TYPE: not normalized
        Assert.Equal("foo\\x00bar\\ \n", got[10].Text);
        Assert.Equal(Labels.FromStrings("__name__", "my.dotted.name", "my label", "v"), got[12].Labels);
        Assert.Equal(double.NegativeInfinity, got[12].Value);
        Assert.Equal(-3L, got[12].Ts);
    }

    [Fact]
    public void OpenMetricsEntriesExemplarsAndCreated()
    {
        var text = "# TYPE foo counter\n# UNIT foo_seconds seconds\n# HELP foo Some \\\"help\\\"\\n.\n" +
                   "foo_total{a=\"b\"} 17.0 1520879607.789 # {id=\"counter-test\"} 5 123.456\n" +
                   "foo_created{a=\"b\"} 1520872607.123\n" +
                   "# TYPE hh histogram\n" +
                   "hh_bucket{le=\"1\"} 1 # {} 0.5\n" +
                   "hh_bucket{le=\"+Inf\"} 2\n" +
                   "hh_count 2\nhh_sum 3\nhh_created 1000\n" +
                   "# EOF\n";
        var got = ParseAll(text, om: true);
        Assert.Equal("counter", got[0].Text);
        Assert.Equal(("foo_seconds", "seconds"), (got[1].Name, got[1].Text));
        Assert.Equal("Some \"help\"\n.", got[2].Text);
        var s = got[3];
        Assert.Equal(Labels.FromStrings("__name__", "foo_total", "a", "b"), s.Labels);
        Assert.Equal(17.0, s.Value);
        Assert.Equal(1520879607789L, s.Ts);
        Assert.NotNull(s.Ex);
        Assert.Equal(Labels.FromStrings("id", "counter-test"), s.Ex!.Value.Labels);
        Assert.Equal(5, s.Ex.Value.Value);
        Assert.Equal(123456L, s.Ex.Value.Timestamp);
        Assert.Equal(1520872607123L, s.Ct);
        var bucket = got[6];
        Assert.Equal("1.0", bucket.Labels!.Get("le"));
        Assert.Equal(Labels.Empty, bucket.Ex!.Value.Labels);
        Assert.Equal(1000000L, bucket.Ct);
    }

    public static TheoryData<string, bool, int, int, string> Errors() => new()
    {
        { "a 1\nb{c=\"d\" 2\n", false, 2, 9, "expected" },
        { "a 1\nb x\n", false, 2, 3, "is not a valid number" },
        { "a 1", false, 1, 4, "line feed" },
        { "# TYPE a foo\n", false, 1, 10, "invalid metric type \"foo\"" },
        { "a 1 1.5\n", false, 1, 5, "timestamp" },
        { "a{b=\"c\"} 1\n", true, 2, 1, "# EOF" },
        { "a 1\n\n# EOF\n", true, 2, 1, "blank line" },
        { "a{b=\"\\xff\"} 1\n", false, -1, -1, "" },
        { "a  1\n# EOF\n", true, 1, 3, "" },
        { "€ 1\n", false, 1, 1, "not a valid start" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ErrorsCarryLineAndColumn(string text, bool om, int line, int col, string fragment)
    {
        var b = Encoding.UTF8.GetBytes(text);
        ExpositionParser p = om ? new OpenMetricsParser(b) : new PromTextParser(b);
        if (line < 0)
        {
            // Backslash-x is not an escape Prometheus knows: kept as written, no error.
            while (p.Next() != Entry.Eof) { }
            return;
        }
        var ex = Assert.Throws<ExpositionParseException>(() => { while (p.Next() != Entry.Eof) { } });
        Assert.Equal(line, ex.Line);
        Assert.Equal(col, ex.Column);
        Assert.Contains(fragment, ex.Message);
        Assert.StartsWith($"{line}:{col}: ", ex.Message);
    }

    [Fact]
    public void InvalidUtf8LabelValueIsRefused()
    {
        var b = new byte[] { (byte)'a', (byte)'{', (byte)'b', (byte)'=', (byte)'"', 0xff, (byte)'"', (byte)'}', (byte)' ', (byte)'1', (byte)'\n' };
        var p = new PromTextParser(b);
        var ex = Assert.Throws<ExpositionParseException>(() => p.Next());
        Assert.Contains("UTF-8", ex.Message);
    }

    public static TheoryData<string, double> Floats() => new()
    {
        { "1", 1 }, { "-1.5e3", -1500 }, { "+Inf", double.PositiveInfinity }, { "-inf", double.NegativeInfinity },
        { "Infinity", double.PositiveInfinity }, { ".5", 0.5 }, { "5.", 5 }, { "0000001.2e-1", 0.12 },
    };

    [Theory]
    [MemberData(nameof(Floats))]
    public void GoFloatParses(string s, double expected)
    {
        Assert.True(GoFloat.TryParse(Encoding.ASCII.GetBytes(s), out var v));
        Assert.Equal(expected, v);
    }

    [Fact]
    public void GoFloat_PlainDecimalsParseToTheSameBitsAsTheFullParser()
    {
        var rnd = new Random(11);
        string[] fixedCases = ["-0", "0", "+7", "0.1", "123456789012345", "1234567890123456", "0.000000000000000000001", "99999999999999.9", "-3.14159", "1.", ".25", "007.50"];
        var cases = fixedCases.Concat(Enumerable.Range(0, 20_000).Select(_ =>
        {
            int digits = rnd.Next(1, 18);
            var sb = new StringBuilder(rnd.Next(4) == 0 ? "-" : "");
            int point = rnd.Next(-1, digits + 1);
            for (int i = 0; i < digits; i++)
            {
                if (i == point) sb.Append('.');
                sb.Append((char)('0' + rnd.Next(10)));
            }
            return sb.ToString();
        }));
        foreach (var c in cases)
        {
            Assert.True(GoFloat.TryParse(Encoding.ASCII.GetBytes(c), out var v), c);
            var expected = double.Parse(c, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(v), $"{c}: {v:R} instead of {expected:R}");
        }
    }

    [Theory]
    [InlineData("0x1p-3")]
    [InlineData("1_000")]
    [InlineData("0x10")]
    [InlineData("1e400")]
    [InlineData("-nan")]
    [InlineData("1.1.1")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1-2")]
    [InlineData("")]
    public void GoFloatRefuses(string s) => Assert.False(GoFloat.TryParse(Encoding.ASCII.GetBytes(s), out _));

    [Theory]
    [InlineData(1.0, "1", "1.0")]
    [InlineData(0.0001, "0.0001", "0.0001")]
    [InlineData(0.00001, "1e-05", "1e-05")]
    [InlineData(1e21, "1e+21", "1e+21")]
    [InlineData(1e20, "100000000000000000000", "100000000000000000000.0")]
    [InlineData(123.456, "123.456", "123.456")]
    [InlineData(-2.5e-7, "-2.5e-07", "-2.5e-07")]
    [InlineData(double.PositiveInfinity, "+Inf", "+Inf")]
    public void GoFloatFormats(double v, string go, string om)
    {
        Assert.Equal(go, GoFloat.Format(v));
        Assert.Equal(om, GoFloat.FormatOpenMetrics(v));
    }

    [Fact]
    public void NaNIsCanonical()
    {
        var got = ParseAll("a NaN\n", om: false);
        Assert.Equal(SampleValue.NormalNaNBits, BitConverter.DoubleToUInt64Bits(got[0].Value));
    }

    [Fact]
    public void InternerReusesStrings()
    {
        var b = Encoding.UTF8.GetBytes("a{job=\"x\"} 1\na{job=\"x\"} 2\n");
        var p = new PromTextParser(b);
        p.Next();
        var l1 = p.Labels();
        p.Next();
        var l2 = p.Labels();
        Assert.Same(l1.AsSpan()[1].Value, l2.AsSpan()[1].Value);
        Assert.Same(l1.AsSpan()[0].Value, l2.AsSpan()[0].Value);
    }

    [Fact]
    public void AcceptHeaderMatchesPrometheus()
    {
        Assert.Equal(
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5," +
            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
            ExpositionFormats.AcceptHeader(null));
        Assert.Equal(ExpositionFormat.OpenMetrics, ExpositionFormats.ForContentType("application/openmetrics-text; version=1.0.0; charset=utf-8", null, out _));
        Assert.Equal(ExpositionFormat.PrometheusText, ExpositionFormats.ForContentType("text/plain; version=0.0.4", null, out _));
        Assert.Null(ExpositionFormats.ForContentType("", null, out var err));
        Assert.Contains("blank Content-Type", err);
        Assert.Equal(ExpositionFormat.PrometheusText, ExpositionFormats.ForContentType("", "PrometheusText0.0.4", out _));
    }
}
