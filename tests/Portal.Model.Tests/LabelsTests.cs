using Portal.Model;

namespace Portal.Model.Tests;

public sealed class LabelsTests
{
    [Fact]
    public void FromStringsSortsByNameOrdinally()
    {
        var l = Labels.FromStrings("job", "node", "__name__", "up", "Zone", "a", "instance", "x:9100");
        Assert.Equal(["Zone", "__name__", "instance", "job"], l.Select(x => x.Name));
        Assert.Equal("up", l.MetricNameValue);
        Assert.Equal("{Zone=\"a\", __name__=\"up\", instance=\"x:9100\", job=\"node\"}", l.ToString());
    }

    [Fact]
    public void EmptyValueMeansAbsentAndLastDuplicateWins()
    {
        var l = Labels.FromStrings("a", "1", "b", "", "a", "2");
        Assert.Single(l);
        Assert.Equal("2", l.Get("a"));
        Assert.False(l.Has("b"));
        Assert.Equal("", l.Get("missing"));
    }

    [Fact]
    public void EqualityAndHashIgnoreConstructionOrder()
    {
        var a = Labels.FromStrings("a", "1", "b", "2");
        var b = Labels.FromStrings("b", "2", "a", "1");
        var c = Labels.FromStrings("a", "1", "b", "3");
        Assert.Equal(a, b);
        Assert.Equal(a.Hash, b.Hash);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.True(a == b);
    }

    [Fact]
    public void HashSeparatesNameAndValueBoundaries()
    {
        Assert.NotEqual(Labels.FromStrings("ab", "c").Hash, Labels.FromStrings("a", "bc").Hash);
    }

    [Theory]
    [InlineData(new[] { "a", "1" }, new[] { "a", "1", "b", "1" }, -1)]
    [InlineData(new[] { "a", "2" }, new[] { "a", "10" }, 1)]
    [InlineData(new[] { "a", "1" }, new[] { "a", "1" }, 0)]
    [InlineData(new[] { "B", "1" }, new[] { "a", "1" }, -1)]
    public void CompareOrdersLabelByLabelOrdinally(string[] x, string[] y, int sign)
    {
        Assert.Equal(sign, Math.Sign(Labels.FromStrings(x).CompareTo(Labels.FromStrings(y))));
    }

    [Fact]
    public void WithoutAndKeep()
    {
        var l = Labels.FromStrings("__name__", "up", "job", "a", "instance", "b");
        Assert.Equal(Labels.FromStrings("job", "a", "instance", "b"), l.Without(Labels.MetricName));
        Assert.Equal(Labels.FromStrings("job", "a"), l.Keep("job", "nope"));
    }

    [Fact]
    public void ToStringEscapesQuotesBackslashesAndNewlines()
    {
        Assert.Equal("{a=\"x\\\"y\\\\z\\n\"}", Labels.FromStrings("a", "x\"y\\z\n").ToString());
    }

    [Fact]
    public void BuilderSetsDeletesAndResets()
    {
        var b = new LabelsBuilder(Labels.FromStrings("a", "1", "b", "2"));
        b.Set("c", "3").Delete("a").Set("b", "");
        Assert.Equal(Labels.FromStrings("c", "3"), b.Build());
        b.Reset(Labels.FromStrings("z", "9"));
        Assert.Equal("9", b.Get("z"));
        Assert.Equal(1, b.Count);
    }
}
