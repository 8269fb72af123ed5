using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Web.Api;

namespace Portal.Web.Auth;

/// <summary>
/// Authenticates machine clients by API token: <c>Authorization: Bearer &lt;token&gt;</c>, or HTTP basic
/// auth with the tenant id as user name and the token as password (Grafana Cloud's convention,
/// which Prometheus remote_write, Grafana and push clients support). Portal-issued JWTs are
/// handled by the JwtBearer scheme; <see cref="MachineAuth.Scheme"/> forwards to the right one.
/// Failures answer 401 with the reason; a missing scope answers 403 naming it.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
            return AuthenticateResult.NoResult();

        string secret;
        string? tenant = null;
        string method;
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            secret = header.Parameter;
            method = "api_token";
        }
        else if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            }
            catch (FormatException)
            {
                return AuthenticateResult.Fail("malformed basic auth header: expected base64 of <tenant-id>:<api-token>");
            }
            int colon = decoded.IndexOf(':');
            if (colon <= 0) return AuthenticateResult.Fail("basic auth needs the tenant id as user name and an API token as password");
            tenant = decoded[..colon];
            secret = decoded[(colon + 1)..];
            method = "basic";
        }
        else return AuthenticateResult.NoResult();

        var check = await tokens.VerifyAsync(secret, tenant, Context.RequestAborted);
        if (!check.Ok) return AuthenticateResult.Fail(check.Failure!);
        var token = check.Token!;
        var claims = new List<Claim>
        {
            new(PortalClaims.Tenant, token.TenantId),
            new(PortalClaims.Method, method),
            new(PortalClaims.TokenId, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, $"token:{token.Name}"),
        };
        foreach (var s in PortalClaims.ScopeNames(token.Scopes)) claims.Add(new Claim(PortalClaims.Scope, s));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await MachineAuth.WriteChallengeAsync(Context, result.Failure?.Message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        MachineAuth.WriteForbiddenAsync(Context);
}

/// <summary>Scheme names, policies and the shared 401/403 answers of machine authentication.</summary>
public static class MachineAuth
{
    /// <summary>The policy scheme every machine endpoint uses: JWTs to JwtBearer, everything else to API tokens.</summary>
    public const string Scheme = "Machine";
    public const string ApiTokenScheme = "ApiToken";
    public const string JwtScheme = "PortalJwt";

    /// <summary>The authorization policy requiring a machine credential with the given scope.</summary>
    public static string Policy(TokenScopes scope) => "scope:" + PortalClaims.ScopeName(scope);

    /// <summary>The scope a request needed, stored for the 403 message.</summary>
    internal const string RequiredScopeItem = "portal.required-scope";

    /// <summary>True when a bearer value has a JWT's shape (three dot-separated parts).</summary>
    public static bool LooksLikeJwt(string value) => value.Count(c => c == '.') == 2 && !value.StartsWith(ApiTokenService.SecretPrefix, StringComparison.Ordinal);

    public static async Task WriteChallengeAsync(HttpContext context, string? reason)
    {
        if (context.Response.HasStarted) return;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"portal\", Bearer";
        await ApiResponse.ErrorAsync(context, "unauthorized",
            reason is null
                ? "authentication required: send an API token as 'Authorization: Bearer <token>', or basic auth with your tenant id as user name and an API token as password"
                : $"authentication failed: {reason}");
    }

    public static async Task WriteForbiddenAsync(HttpContext context)
    {
        if (context.Response.HasStarted) return;
        var scope = context.Items[RequiredScopeItem] as string ?? "another";
        await ApiResponse.ErrorAsync(context, "forbidden", $"this credential lacks the \"{scope}\" scope; create a token with it on your account page");
    }
}
