using Portal.Model;

namespace Portal.Model.Tests;

public sealed class PromDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData("15s", 15_000L)]
    [InlineData("1h30m", 5_400_000L)]
    [InlineData("500ms", 500L)]
    [InlineData("1y", 31_536_000_000L)]
    [InlineData("2w", 1_209_600_000L)]
    [InlineData("1d2h3m4s5ms", 93_784_005L)]
    public void ParsesPrometheusDurations(string text, long ms)
    {
        Assert.True(PromDuration.TryParse(text, out var got, out var error), error);
        Assert.Equal(ms, got);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1m1h")]
    [InlineData("1s1s")]
    [InlineData("-1s")]
    [InlineData("1.5h")]
    [InlineData("1x")]
    [InlineData("h")]
    [InlineData("99999999999999999999y")]
    public void RejectsWhatPrometheusRejects(string text)
    {
        Assert.False(PromDuration.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => PromDuration.Parse(text));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(5_400_000L, "1h30m")]
    [InlineData(93_784_005L, "1d2h3m4s5ms")]
    [InlineData(31_536_000_000L + 604_800_000L, "1y1w")]
    [InlineData(-60_000L, "-1m")]
    public void FormatsAsPrometheus(long ms, string text)
    {
        Assert.Equal(text, PromDuration.Format(ms));
    }
}
