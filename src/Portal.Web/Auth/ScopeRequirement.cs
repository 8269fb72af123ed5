using Microsoft.AspNetCore.Authorization;
using Portal.Data;

namespace Portal.Web.Auth;

/// <summary>Requires a machine principal with a tenant and the given scope.</summary>
public sealed class ScopeRequirement(TokenScopes scope) : IAuthorizationRequirement
{
    public TokenScopes Scope { get; } = scope;
}

/// <summary>Checks <see cref="ScopeRequirement"/>; on failure remembers the scope so the 403 can name it.</summary>
public sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.TenantId() is not null && context.User.HasScope(requirement.Scope))
            context.Succeed(requirement);
        else if (context.Resource is HttpContext http)
            http.Items[MachineAuth.RequiredScopeItem] = PortalClaims.ScopeName(requirement.Scope);
        return Task.CompletedTask;
    }
}
