using Portal.Model;

namespace Portal.Model.Tests;

public sealed class LabelNamesTests
{
    [Theory]
    [InlineData("up", true)]
    [InlineData("node:cpu:rate5m", true)]
    [InlineData("_x", true)]
    [InlineData("9lives", false)]
    [InlineData("a-b", false)]
    [InlineData("", false)]
    public void LegacyMetricNames(string name, bool valid) => Assert.Equal(valid, LabelNames.IsLegacyMetricName(name));

    [Theory]
    [InlineData("job", true)]
    [InlineData("__name__", true)]
    [InlineData("a:b", false)]
    [InlineData("1a", false)]
    public void LegacyLabelNames(string name, bool valid) => Assert.Equal(valid, LabelNames.IsLegacyLabelName(name));

    [Fact]
    public void ValidSeriesPasses() => Assert.Null(LabelNames.Validate(Labels.FromStrings("__name__", "up", "job", "x")));

    [Fact]
    public void Utf8NamesAreValidInPrometheus3() => Assert.Null(LabelNames.Validate(Labels.FromStrings("__name__", "my.metric", "ünïcode", "x")));

    [Fact]
    public void MissingMetricNameIsRefused() =>
        Assert.Contains("no metric name", LabelNames.Validate(Labels.FromStrings("job", "x")));

    [Fact]
    public void DuplicateAndUnsortedNamesAreRefused()
    {
        var dup = Labels.FromSortedUnchecked([new("__name__", "up"), new("a", "1"), new("a", "2")]);
        Assert.Contains("duplicate label name \"a\"", LabelNames.Validate(dup));
        var unsorted = Labels.FromSortedUnchecked([new("__name__", "up"), new("b", "1"), new("a", "2")]);
        Assert.Contains("not sorted", LabelNames.Validate(unsorted));
    }

    [Fact]
    public void LoneSurrogateIsRefused()
    {
        var bad = Labels.FromSortedUnchecked([new("__name__", "up"), new("a", "x\ud800")]);
        Assert.Contains("invalid UTF-8 value", LabelNames.Validate(bad));
    }

    [Fact]
    public void StaleNaNKeepsItsBits()
    {
        Assert.Equal(SampleValue.StaleNaNBits, BitConverter.DoubleToUInt64Bits(SampleValue.StaleNaN));
        Assert.True(SampleValue.IsStaleNaN(SampleValue.StaleNaN));
        Assert.False(SampleValue.IsStaleNaN(double.NaN));
    }
}
