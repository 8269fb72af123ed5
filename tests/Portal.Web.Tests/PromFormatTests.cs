using Portal.Web.Api;

namespace Portal.Web.Tests;

public sealed class PromFormatTests
{
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-7, "0.0000001")]
    [InlineData(1.5e20, "150000000000000000000")]
    [InlineData(-2.5e-3, "-0.0025")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(1.7976931348623157e308, "17976931348623157" + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void ValuesAreWrittenAsGoFormatsThem(double v, string expected) => Assert.Equal(expected, PromFormat.Value(v));

    [Theory]
    [InlineData(1435781451781L, "1435781451.781")]
    [InlineData(1435781451000L, "1435781451")]
    [InlineData(1435781451500L, "1435781451.5")]
    [InlineData(1435781451050L, "1435781451.05")]
    [InlineData(-1500L, "-1.5")]
    [InlineData(0L, "0")]
    public void TimestampsAreFloatSeconds(long ms, string expected) => Assert.Equal(expected, PromFormat.Timestamp(ms));
}
