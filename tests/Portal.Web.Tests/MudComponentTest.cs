using Bunit;
using MudBlazor.Services;

namespace Portal.Web.Tests;

/// <summary>
/// Base of the bunit tests that render MudBlazor components: one <see cref="BunitContext"/> per test with MudBlazor's
/// services and loose JS interop (calls no test set up return defaults), disposed after the test.
/// </summary>
public abstract class MudComponentTest : IAsyncLifetime
{
    protected BunitContext Ctx { get; } = new();

    public virtual Task InitializeAsync()
    {
        Ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        Ctx.Services.AddMudServices();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Ctx.DisposeAsync();
}
