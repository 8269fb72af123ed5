using Bunit;
using MudBlazor;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests;

public sealed class ComponentTests : MudComponentTest
{
    [Theory]
    [InlineData(false, true, "Switch to dark mode")]
    [InlineData(true, false, "Switch to light mode")]
    public void ThemeToggleReportsTheOppositeModeWhenClicked(bool start, bool expected, string label)
    {
        bool? reported = null;
        var cut = Ctx.Render<ThemeToggle>(p => p
            .Add(c => c.IsDarkMode, start)
            .Add(c => c.IsDarkModeChanged, v => reported = v));

        var button = cut.Find("button[data-testid=theme-toggle]");
        Assert.Equal(label, button.GetAttribute("aria-label"));
        button.Click();
        Assert.Equal(expected, reported);
    }

    [Fact]
    public void ThemeToggleShowsTheIconOfTheModeItSwitchesTo()
    {
        var cut = Ctx.Render<ThemeToggle>(p => p.Add(c => c.IsDarkMode, true));
        Assert.Equal(Icons.Material.Filled.LightMode, cut.Instance.Icon);
        cut.Render(p => p.Add(c => c.IsDarkMode, false));
        Assert.Equal(Icons.Material.Filled.DarkMode, cut.Instance.Icon);
    }

    public static TheoryData<TimeSpan, string> Durations => new()
    {
        { TimeSpan.Zero, "0s" },
        { TimeSpan.FromMilliseconds(999), "0s" },
        { TimeSpan.FromSeconds(59), "59s" },
        { new TimeSpan(0, 1, 30, 5), "1h30m5s" },
        { new TimeSpan(2, 0, 5, 0), "2d5m" },
        { new TimeSpan(3, 4, 5, 6), "3d4h5m" },
        { TimeSpan.FromSeconds(-90), "-1m30s" },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void DurationTextFormatsLikePrometheus(TimeSpan value, string expected)
    {
        Assert.Equal(expected, DurationText.Format(value));
        var cut = Ctx.Render<DurationText>(p => p.Add(c => c.Value, value));
        Assert.Equal(expected, cut.Find("span").TextContent);
    }
}
