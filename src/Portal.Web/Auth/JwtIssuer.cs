using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Portal.Data;

namespace Portal.Web.Auth;

/// <summary>
/// Issues the portal's short-lived JWTs for machine clients and holds the key that signs them:
/// <c>Auth:JwtSigningKey</c> (base64, at least 32 bytes) when set — every node of a cluster needs
/// the same — else a key generated once under <c>&lt;storage&gt;/keys/</c>. Thread-safe.
/// </summary>
public sealed class JwtIssuer
{
    public const string Issuer = "portal";
    public const string Audience = "portal-api";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    private readonly TimeProvider _clock;
    public SymmetricSecurityKey Key { get; }

    public JwtIssuer(byte[] key, TimeProvider clock)
    {
        if (key.Length < 32) throw new ArgumentException("the JWT signing key must be at least 32 bytes", nameof(key));
        Key = new SymmetricSecurityKey(key);
        _clock = clock;
    }

    /// <summary>The configured key, or the one kept in the storage folder (created on first use).</summary>
    public static byte[] LoadOrCreateKey(string? configured, string storagePath)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Convert.FromBase64String(configured);
        var dir = Path.Combine(storagePath, "keys");
        var path = Path.Combine(dir, "jwt-signing.key");
        if (File.Exists(path)) return File.ReadAllBytes(path);
        Directory.CreateDirectory(dir);
        var key = RandomNumberGenerator.GetBytes(64);
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            f.Write(key);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: false);
        return key;
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "name",
    };

    /// <summary>A signed token for <paramref name="tenantId"/> with <paramref name="scopes"/>, valid for <paramref name="lifetime"/>.</summary>
    public (string Token, DateTimeOffset Expires) Issue(string tenantId, TokenScopes scopes, string subject, TimeSpan lifetime)
    {
        var now = _clock.GetUtcNow();
        var expires = now + lifetime;
        var claims = new List<Claim>
        {
            new(PortalClaims.Tenant, tenantId),
            new(PortalClaims.Method, "jwt"),
            new("name", subject),
            new(JwtRegisteredClaimNames.Sub, subject),
        };
        foreach (var s in PortalClaims.ScopeNames(scopes)) claims.Add(new Claim(PortalClaims.Scope, s));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
