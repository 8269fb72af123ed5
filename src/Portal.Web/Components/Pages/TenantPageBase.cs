using Microsoft.AspNetCore.Components;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Components.Pages;

/// <summary>
/// Base of the pages that work on the signed-in user's current tenant. Loads <see cref="CurrentTenant"/>
/// first; a visitor who is not signed in is sent to the sign-in page (the <c>[Authorize]</c> attribute
/// does that on a full page load; this covers navigation inside a running circuit).
/// </summary>
public abstract class TenantPageBase : ComponentBase
{
    [Inject] protected CurrentTenant Current { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    /// <summary>True once the user and tenant are known and the user has a tenant.</summary>
    protected bool Ready { get; private set; }

    /// <summary>Editors and above may change configuration.</summary>
    protected bool CanEdit => Current.Can(TenantRole.Editor);

    /// <summary>Admins and above manage tokens and members.</summary>
    protected bool CanAdmin => Current.Can(TenantRole.Admin);

    protected override async Task OnInitializedAsync()
    {
        await Current.EnsureLoadedAsync();
        if (!Current.SignedIn)
        {
            var back = "/" + Navigation.ToBaseRelativePath(Navigation.Uri);
            Navigation.NavigateTo("/account/sign-in?ReturnUrl=" + Uri.EscapeDataString(back), forceLoad: true);
            return;
        }
        Ready = Current.Tenant is not null;
        if (Ready) await OnTenantReadyAsync();
    }

    /// <summary>Loads the page's data once the tenant is known.</summary>
    protected virtual Task OnTenantReadyAsync() => Task.CompletedTask;
}
