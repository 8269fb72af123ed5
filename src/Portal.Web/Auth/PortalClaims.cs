using System.Security.Claims;
using Portal.Data;

namespace Portal.Web.Auth;

/// <summary>Claim names on machine principals, and reading them back.</summary>
public static class PortalClaims
{
    /// <summary>The tenant the credential belongs to. The only source of a machine request's tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>One claim per scope: read, write, alerts, admin.</summary>
    public const string Scope = "scope";

    /// <summary>How the request authenticated: api_token, basic, jwt.</summary>
    public const string Method = "auth_method";

    public const string TokenId = "token_id";

    public static string? TenantId(this ClaimsPrincipal user) => user.FindFirst(Tenant)?.Value;

    public static bool HasScope(this ClaimsPrincipal user, TokenScopes scope) =>
        user.HasClaim(Scope, ScopeName(scope));

    public static string ScopeName(TokenScopes scope) => scope switch
    {
        TokenScopes.Read => "read",
        TokenScopes.Write => "write",
        TokenScopes.Alerts => "alerts",
        TokenScopes.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), "one scope at a time"),
    };

    public static IEnumerable<string> ScopeNames(TokenScopes scopes)
    {
        foreach (var s in new[] { TokenScopes.Read, TokenScopes.Write, TokenScopes.Alerts, TokenScopes.Admin })
            if (scopes.HasFlag(s)) yield return ScopeName(s);
    }

    public static TokenScopes ParseScopes(IEnumerable<string> names)
    {
        var scopes = TokenScopes.None;
        foreach (var n in names)
        {
            scopes |= n.Trim().ToLowerInvariant() switch
            {
                "read" => TokenScopes.Read,
                "write" => TokenScopes.Write,
                "alerts" => TokenScopes.Alerts,
                "admin" => TokenScopes.Admin,
                _ => throw new FormatException($"unknown scope \"{n}\": use read, write, alerts or admin"),
            };
        }
        return scopes;
    }
}
