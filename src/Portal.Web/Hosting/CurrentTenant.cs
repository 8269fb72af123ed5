using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Web.Hosting;

/// <summary>Thrown when the signed-in user's role in the current tenant does not allow a change.</summary>
public sealed class TenantAccessDeniedException(string message) : Exception(message);

/// <summary>
/// The signed-in browser user's current tenant and role there, resolved from the authentication
/// state and the metadata database. Scoped: one per Blazor circuit (or request), not thread-safe;
/// use it from the component's synchronisation context only. The role shown in the UI is read once
/// per load; every change must call <see cref="RequireAsync"/>, which reads the role again.
/// </summary>
public sealed class CurrentTenant(AuthenticationStateProvider auth, TenantService tenants, IDbContextFactory<PortalDbContext> contexts)
{
    private Task? _loading;

    /// <summary>The user's id (Identity's NameIdentifier claim); null when nobody is signed in.</summary>
    public string? UserId { get; private set; }

    /// <summary>The user's sign-in name (email); recorded as author of changes.</summary>
    public string UserName { get; private set; } = "";

    /// <summary>The tenant the pages work on; null when the user belongs to none.</summary>
    public Tenant? Tenant { get; private set; }

    /// <summary>The user's role in <see cref="Tenant"/> as of the last load.</summary>
    public TenantRole? Role { get; private set; }

    /// <summary>Every tenant the user belongs to, with the role in each, by name.</summary>
    public IReadOnlyList<(Tenant Tenant, TenantRole Role)> Memberships { get; private set; } = [];

    public bool SignedIn => UserId is not null;

    /// <summary>The current tenant's id; throws when there is none (check <see cref="Tenant"/> first).</summary>
    public string TenantId => Tenant?.Id ?? throw new InvalidOperationException("no current tenant");

    /// <summary>True when the role as of the last load is at least <paramref name="min"/> (for enabling controls).</summary>
    public bool Can(TenantRole min) => Role is { } r && r >= min;

    /// <summary>Loads once per scope; later calls return the same task.</summary>
    public Task EnsureLoadedAsync(CancellationToken ct = default) => _loading ??= LoadAsync(ct);

    /// <summary>Reads the user, memberships and current tenant again.</summary>
    public async Task LoadAsync(CancellationToken ct = default)
    {
        var state = await auth.GetAuthenticationStateAsync();
        var user = state.User;
        UserId = user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
        UserName = user.Identity?.Name ?? "";
        Tenant = null;
        Role = null;
        Memberships = [];
        if (UserId is null) return;

        Memberships = await tenants.TenantsOfAsync(UserId, ct);
        if (Memberships.Count == 0) return;
        string? preferred;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            preferred = await db.Users.AsNoTracking().Where(u => u.Id == UserId).Select(u => u.CurrentTenantId).SingleOrDefaultAsync(ct);
        var chosen = Memberships[0];
        foreach (var m in Memberships)
            if (string.Equals(m.Tenant.Id, preferred, StringComparison.Ordinal)) chosen = m;
        Tenant = chosen.Tenant;
        Role = chosen.Role;
    }

    /// <summary>
    /// Makes <paramref name="tenantId"/> the user's current tenant (remembered across sign-ins).
    /// Throws <see cref="TenantAccessDeniedException"/> when the user is not a member.
    /// </summary>
    public async Task SwitchAsync(string tenantId, CancellationToken ct = default)
    {
        await EnsureLoadedAsync(ct);
        if (UserId is null) throw new TenantAccessDeniedException("sign in first");
        var role = await tenants.RoleOfAsync(tenantId, UserId, ct)
            ?? throw new TenantAccessDeniedException($"you are not a member of \"{tenantId}\"; ask one of its owners to invite you");
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var row = await db.Users.SingleAsync(u => u.Id == UserId, ct);
            row.CurrentTenantId = tenantId;
            await db.SaveChangesAsync(ct);
        }
        Tenant = await tenants.FindAsync(tenantId, ct);
        Role = role;
    }

    /// <summary>
    /// Reads the user's role in the current tenant from the database again and returns it when it is
    /// at least <paramref name="min"/>; otherwise throws <see cref="TenantAccessDeniedException"/> with
    /// what to do. Call before every change.
    /// </summary>
    public async Task<TenantRole> RequireAsync(TenantRole min, CancellationToken ct = default)
    {
        await EnsureLoadedAsync(ct);
        if (UserId is null || Tenant is null) throw new TenantAccessDeniedException("sign in and choose a tenant first");
        var role = await tenants.RoleOfAsync(Tenant.Id, UserId, ct);
        Role = role;
        if (role is null) throw new TenantAccessDeniedException($"you are no longer a member of \"{Tenant.Id}\"; reload the page");
        if (role < min)
            throw new TenantAccessDeniedException($"this needs the {min} role or higher in \"{Tenant.Id}\" (you are {role}); ask an owner or admin");
        return role.Value;
    }
}
