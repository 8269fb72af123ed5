using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Portal.Data;

namespace Portal.Web.Auth;

/// <summary>Browser account endpoints that are not pages, and the brake on password guessing.</summary>
public static class AccountEndpoints
{
    /// <summary>Sign-in and sign-up form posts allowed per client address per minute.</summary>
    public const int FormPostsPerMinute = 10;

    /// <summary><c>POST /account/sign-out</c> (antiforgery-checked form post): ends the browser session.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/sign-out", async (SignInManager<PortalUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/");
        });
        return endpoints;
    }

    /// <summary>Limits sign-in and sign-up form posts per client address (429 past the limit); other requests pass.</summary>
    public static IServiceCollection AddAccountRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "60";
                await ctx.HttpContext.Response.WriteAsync("Too many sign-in attempts from your address: wait a minute, then try again.", ct);
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                var path = ctx.Request.Path.Value ?? "";
                bool accountPost = HttpMethods.IsPost(ctx.Request.Method) &&
                    (path.Equals("/account/sign-in", StringComparison.OrdinalIgnoreCase) || path.Equals("/account/sign-up", StringComparison.OrdinalIgnoreCase));
                if (!accountPost) return RateLimitPartition.GetNoLimiter("other");
                return RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = FormPostsPerMinute, Window = TimeSpan.FromMinutes(1) });
            });
        });
}
