using Portal.Rules.Templates;

namespace Portal.Rules.Tests.Templates;

/// <summary>Go text/template semantics: syntax, pipelines, control structures, builtins, printing.</summary>
public class GoTemplateTests
{
    public sealed class Item
    {
        public string Name { get; init; } = "";
        public long Count { get; init; }
        public List<string> Tags { get; init; } = [];
        public string Greet(string who) => "hello " + who;
        public string Upper() => Name.ToUpperInvariant();
    }

    private static readonly Dictionary<string, object?> Data = new()
    {
        ["Str"] = "abc",
        ["Int"] = 17L,
        ["Float"] = 2.5,
        ["True"] = true,
        ["Empty"] = "",
        ["List"] = new List<object?> { 1L, 2L, 3L },
        ["Strs"] = new List<string> { "x", "y" },
        ["Map"] = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["c"] = "3" },
        ["Item"] = new Item { Name = "it", Count = 3, Tags = ["t1", "t2"] },
        ["Nil"] = null,
        ["Big"] = 1e6,
        ["Html"] = "<a href=\"x\">'&'</a>",
    };

    private static string Run(string text, object? data = null) =>
        GoTemplate.Render("t", text, data ?? Data, missingKey: MissingKeyMode.Default);

    public static TheoryData<string, string> Cases => new()
    {
        { "{{.Str}}", "abc" },
        { "{{.Int}} {{.Float}} {{.True}} {{.Big}}", "17 2.5 true 1e+06" },
        { "{{ 1.0 }} {{ 1e3 }} {{ 0x1F }} {{ 'a' }} {{ -3 }} {{ 1_000 }} {{ 0.000001 }} {{ 123456789.0 }}", "1 1000 31 97 -3 1000 1e-06 1.23456789e+08" },
        { "{{.List}} {{.Map}} {{.Strs}}", "[1 2 3] map[a:1 b:2 c:3] [x y]" },
        { "{{.Nil}}|{{.Missing}}", "<no value>|<no value>" },
        { "{{.Item.Name}} {{.Item.Count}} {{.Item.Upper}} {{.Item.Greet \"you\"}}", "it 3 IT hello you" },
        { "{{ \"you\" | .Item.Greet }}", "hello you" },
        { "{{if .True}}yes{{else}}no{{end}}", "yes" },
        { "{{if .Empty}}yes{{else if .Int}}int{{else}}no{{end}}", "int" },
        { "{{with .Str}}<{{.}}>{{end}}{{with .Empty}}x{{else}}empty{{end}}", "<abc>empty" },
        { "{{with .Empty}}a{{else with .Str}}{{.}}{{end}}", "abc" },
        { "{{range .List}}{{.}},{{end}}", "1,2,3," },
        { "{{range $i, $e := .List}}{{$i}}={{$e}} {{end}}", "0=1 1=2 2=3 " },
        { "{{range $k, $v := .Map}}{{$k}}{{$v}}{{end}}", "a1b2c3" },
        { "{{range .Nil}}x{{else}}none{{end}}", "none" },
        { "{{range 3}}{{.}}{{end}}", "012" },
        { "{{range .List}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", "13" },
        { "{{range .List}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", "1" },
        { "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2" },
        { "{{$x := .Str}}{{range .List}}{{$x}}{{end}}", "abcabcabc" },
        { "{{range .List}}{{$.Str}}{{end}}", "abcabcabc" },
        { "  {{- .Str -}}  \n x", "abcx" },
        { "a {{- /* comment */ -}} b", "ab" },
        { "{{/* c */}}x", "x" },
        { "{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .Str}}{{template \"T\"}}", "[abc][<no value>]" },
        { "{{block \"B\" .Int}}<{{.}}>{{end}}", "<17>" },
        { "{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 \"\"}} {{not 0}}", "0 2 3  true" },
        { "{{and .Nil .Nil.Foo}}", "<no value>" },
        { "{{len .Str}} {{len .List}} {{len .Map}} {{len \"é\"}}", "3 3 3 2" },
        { "{{index .List 1}} {{index .Map \"b\"}} {{index .Map \"zz\"}}| {{index .Str 0}}", "2 2 | 97" },
        { "{{slice .Str 1}} {{slice .Str 1 2}} {{slice .List 1 3}}", "bc b [2 3]" },
        { "{{eq 1 1}} {{eq 1 2 3 1}} {{ne \"a\" \"b\"}} {{lt 1 2}} {{le 2 2}} {{gt 1.5 2.5}} {{ge \"b\" \"a\"}}", "true true true true true false true" },
        { "{{eq .Nil .Nil}} {{eq .Str \"abc\"}}", "true true" },
        { "{{print 1 2 \"a\" 3 \"b\" \"c\"}}|{{println 1 \"a\"}}|", "1 2a3bc|1 a\n|" },
        { "{{printf \"%d %5.2f %-4s| %q %v %x %X %o %t %e %g %c %U %%\" 42 3.14159 \"ab\" \"q\" .List 255 255 8 true 1234.5678 0.00001234 65 65}}", "42  3.14 ab  | \"q\" [1 2 3] ff FF 10 true 1.234568e+03 1.234e-05 A U+0041 %" },
        { "{{printf \"%s %d\" 1}}", "%!s(int=1) %!d(MISSING)" },
        { "{{printf \"%s\" \"a\" 2}}", "a%!(EXTRA int=2)" },
        { "{{printf \"%05d|%+d|%8.3e|%-8v|\" 42 5 12345.678 \"x\"}}", "00042|+5|1.235e+04|x       |" },
        { "{{html .Html}}", "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;" },
        { "{{js \"a'b\\\"<\"}}", "a\\'b\\\"\\u003C" },
        { "{{urlquery \"a b&c\"}}", "a+b%26c" },
        { "{{ \"a\" | printf \"%s-%s\" \"b\" }}", "b-a" },
        { "{{ (printf \"%s\" \"x\") }}", "x" },
        { "{{ .Item.Tags }} {{ index .Item.Tags 1 }}", "[t1 t2] t2" },
        { "{{`raw \\n`}}", "raw \\n" },
        { "{{\"esc\\t\\x41\\u00e9\"}}", "esc\tAé" },
        { "{{ $m := .Map }}{{ $m.a }}", "1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Executes(string text, string expected) => Assert.Equal(expected, Run(text));

    public static TheoryData<string, string> ParseErrors => new()
    {
        { "{{.Str", "template: t:1: unclosed action" },
        { "{{if .True}}x", "template: t:1: unexpected EOF" },
        { "x{{end}}", "template: t:1: unexpected {{end}}" },
        { "\n\n{{ nofunc 1 }}", "template: t:3: function \"nofunc\" not defined" },
        { "{{ $x }}", "template: t:1: undefined variable \"$x\"" },
        { "{{/* unclosed", "template: t:1: unclosed comment" },
        { "{{ \"abc }}", "template: t:1: unterminated quoted string" },
        { "{{ 3x }}", "template: t:1: bad number syntax: \"3x\"" },
        { "{{ break }}", "template: t:1: {{break}} outside {{range}}" },
        { "{{ if }}{{ end }}", "template: t:1: missing value for if" },
        { "{{ .A | 1 }}", "template: t:1: non executable command in pipeline stage 2" },
        { "{{ .A ) }}", "template: t:1: unexpected right paren" },
    };

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public void ReportsParseErrors(string text, string message)
    {
        var e = Assert.Throws<TemplateException>(() => Run(text));
        Assert.Equal(message, e.Message);
        Assert.True(e.IsParseError);
    }

    [Fact]
    public void ParseErrorsCarryLineAndColumn()
    {
        var e = Assert.Throws<TemplateException>(() => Run("line one\nab {{ nofunc }}"));
        Assert.Equal(2, e.Line);
        Assert.Equal(7, e.Column);
    }

    public static TheoryData<string, string> ExecErrors => new()
    {
        { "{{ .Str.Foo }}", "template: t:1:7: executing \"t\" at <.Str.Foo>: can't evaluate field Foo in type string" },
        { "{{ index .List 5 }}", "template: t:1:3: executing \"t\" at <index .List 5>: error calling index: index out of range: 5" },
        { "{{ eq .Int 1.5 }}", "template: t:1:3: executing \"t\" at <eq .Int 1.5>: error calling eq: incompatible types for comparison" },
        { "{{ template \"none\" }}", "template: t:1:12: executing \"t\" at <{{template \"none\"}}>: template \"none\" not defined" },
        { "{{ .Item.Greet }}", "template: t:1:8: executing \"t\" at <.Item.Greet>: wrong number of args for Greet: want 1 got 0" },
        { "{{ len 3 }}", "template: t:1:3: executing \"t\" at <len 3>: error calling len: len of type int" },
        { "{{ nil }}", "template: t:1:3: executing \"t\" at <nil>: nil is not a command" },
        { "{{ .Str 1 }}", "template: t:1:3: executing \"t\" at <.Str>: Str is not a method but has arguments" },
    };

    [Theory]
    [MemberData(nameof(ExecErrors))]
    public void ReportsExecErrors(string text, string message)
    {
        var e = Assert.Throws<TemplateException>(() => Run(text));
        Assert.Equal(message, e.Message);
        Assert.False(e.IsParseError);
    }

    [Fact]
    public void RedefinitionAcrossParsesReplacesButEmptyDoesNot()
    {
        var t = new GoTemplate().Parse("a", "{{define \"x\"}}one{{end}}");
        t.Parse("b", "{{define \"x\"}}two{{end}}");
        t.Parse("c", "{{define \"x\"}}  {{end}}");
        Assert.Equal("two", t.Execute("x", null));
        var dup = Assert.Throws<TemplateException>(() => new GoTemplate().Parse("d", "{{define \"y\"}}1{{end}}{{define \"y\"}}2{{end}}"));
        Assert.Contains("multiple definition of template \"y\"", dup.Message);
    }

    [Fact]
    public void CloneIsIndependent()
    {
        var t = new GoTemplate().Parse("base", "{{define \"x\"}}base{{end}}");
        var c = t.Clone().Parse("x", "clone");
        Assert.Equal("clone", c.Execute("x", null));
        Assert.Equal("base", t.Execute("x", null));
    }

    [Fact]
    public void GoTimeFormats()
    {
        var t = new GoTime(new DateTimeOffset(2015, 6, 3, 13, 4, 5, 128, TimeSpan.Zero));
        Assert.Equal("2015-06-03 13:04:05.128 +0000 UTC", t.ToString());
        Assert.Equal("Wed, 03 Jun 2015 13:04:05 UTC", t.Format("Mon, 02 Jan 2006 15:04:05 MST"));
        Assert.Equal("2015-06-03T13:04:05.128Z", t.Format("2006-01-02T15:04:05.999Z07:00"));
        Assert.Equal("1:04PM 6/3/15 .128000", t.Format("3:04PM 1/2/06 .000000"));
        Assert.Equal("1h2m0.01s", new GoDuration(3_720_010_000_000).ToString());
        Assert.Equal("1.5ms", new GoDuration(1_500_000).ToString());
    }

    [Theory]
    [InlineData(0.0, 'g', -1, "0")]
    [InlineData(100000.0, 'g', -1, "100000")]
    [InlineData(1e21, 'g', -1, "1e+21")]
    [InlineData(0.0001, 'g', -1, "0.0001")]
    [InlineData(0.00001, 'g', -1, "1e-05")]
    [InlineData(1234.5678, 'g', 4, "1235")]
    [InlineData(12345.678, 'g', 4, "1.235e+04")]
    [InlineData(1.0, 'g', 4, "1")]
    [InlineData(0.1, 'f', -1, "0.1")]
    [InlineData(2.5, 'f', 0, "2")]
    [InlineData(-0.000123, 'e', 2, "-1.23e-04")]
    [InlineData(1e100, 'e', -1, "1e+100")]
    public void FormatsFloatsAsGo(double v, char fmt, int prec, string expected) => Assert.Equal(expected, GoFormat.FormatFloat(v, fmt, prec));
}
