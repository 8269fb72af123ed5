using Bunit;
using MudBlazor.Services;
using Portal.Web.Components.Dashboards;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>The panel editor's repeat options write Grafana's repeat fields.</summary>
public sealed class RepeatEditorTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();

    public Task InitializeAsync()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void RepeatVariableAndMaxPerRowAreWrittenAndClearedTogether()
    {
        var panel = PanelModel.Create("stat", 3, new GridPos(0, 0, 6, 4));
        var cut = _ctx.Render<PanelEditor>(p => p.Add(c => c.Panel, panel));
        Assert.Empty(cut.FindAll("#panel-maxperrow"));

        cut.Find("#panel-repeat").Input("$instance");
        cut.Find("#panel-maxperrow").Input("3");
        Assert.Equal("instance", GrafanaJson.Str(panel.Json["repeat"]));
        Assert.Equal(3, GrafanaJson.Num(panel.Json["maxPerRow"]));
        Assert.Equal("h", panel.RepeatDirection);

        cut.Find("#panel-repeat").Input("");
        Assert.Null(panel.Json["repeat"]);
        Assert.Null(panel.Json["maxPerRow"]);
    }
}
