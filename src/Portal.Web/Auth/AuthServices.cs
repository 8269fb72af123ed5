using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Net.Http.Headers;
using Portal.Data;

namespace Portal.Web.Auth;

/// <summary>Registers browser sign-in (Identity cookies) and machine authentication (API tokens, basic auth, JWT) with scope policies.</summary>
public static class AuthServices
{
    public static IServiceCollection AddPortalAuth(this IServiceCollection services, JwtIssuer jwt)
    {
        services.AddSingleton(jwt);
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/account/sign-in";
                o.LogoutPath = "/account/sign-out";
                o.AccessDeniedPath = "/account/denied";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromDays(7);
            }));

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(MachineAuth.ApiTokenScheme, null)
            .AddJwtBearer(MachineAuth.JwtScheme, o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = jwt.ValidationParameters();
                o.Events = new JwtBearerEvents
                {
                    OnChallenge = async ctx =>
                    {
                        ctx.HandleResponse();
                        await MachineAuth.WriteChallengeAsync(ctx.HttpContext, ctx.AuthenticateFailure is null ? null : "the JWT is invalid or has expired; request a new one");
                    },
                    OnForbidden = ctx => MachineAuth.WriteForbiddenAsync(ctx.HttpContext),
                };
            })
            .AddPolicyScheme(MachineAuth.Scheme, MachineAuth.Scheme, o => o.ForwardDefaultSelector = ctx =>
            {
                string auth = ctx.Request.Headers[HeaderNames.Authorization].ToString();
                return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && MachineAuth.LooksLikeJwt(auth[7..].Trim())
                    ? MachineAuth.JwtScheme
                    : MachineAuth.ApiTokenScheme;
            });

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = true;
                o.Password.RequireDigit = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddSignInManager()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddDefaultTokenProviders();

        services.AddAuthorizationBuilder()
            .AddPolicy(MachineAuth.Policy(TokenScopes.Read), Scope(TokenScopes.Read))
            .AddPolicy(MachineAuth.Policy(TokenScopes.Write), Scope(TokenScopes.Write))
            .AddPolicy(MachineAuth.Policy(TokenScopes.Alerts), Scope(TokenScopes.Alerts))
            .AddPolicy(MachineAuth.Policy(TokenScopes.Admin), Scope(TokenScopes.Admin));
        return services;
    }

    private static Action<AuthorizationPolicyBuilder> Scope(TokenScopes scope) => p => p
        .AddAuthenticationSchemes(MachineAuth.Scheme)
        .RequireAuthenticatedUser()
        .AddRequirements(new ScopeRequirement(scope));
}
