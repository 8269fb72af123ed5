using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>A token as shown to its creator: the secret appears only here, once.</summary>
public sealed record CreatedToken(ApiToken Token, string Secret);

/// <summary>The outcome of checking a presented token.</summary>
public sealed record TokenCheck(ApiToken? Token, string? Failure)
{
    public bool Ok => Token is not null;
}

/// <summary>
/// Creates, verifies and revokes API tokens. Secrets are never stored: only their SHA-256 hash
/// and a short prefix to find the row. A successful check is remembered for <see cref="VerifiedFor"/>, so a
/// busy data source does not query the database on every request; revoking or replacing a token through this
/// service forgets it at once on this node (other nodes notice within <see cref="VerifiedFor"/>).
/// Thread-safe (each call uses its own context).
/// </summary>
public sealed class ApiTokenService(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <summary>How long a successful check is trusted without reading the database again.</summary>
    public static readonly TimeSpan VerifiedFor = TimeSpan.FromSeconds(15);

    /// <summary>Checked tokens remembered at most; the memory is cleared when it would grow past this.</summary>
    private const int MaxRemembered = 10_000;

    private sealed record Verified(ApiToken Token, DateTimeOffset CheckedAt);

    /// <summary>Successful checks by the secret's hash (hex). The tokens in it are never modified.</summary>
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    /// <summary>Generated secrets start with this, so they are recognisable in configs and logs.</summary>
    public const string SecretPrefix = "pt_";

    /// <summary>How many leading characters of a secret are stored to find its row.</summary>
    public const int PrefixLength = 12;

    /// <summary>Provisioned (user-supplied) secrets must be at least this long.</summary>
    public const int MinSecretLength = 16;

    public async Task<CreatedToken> CreateAsync(string tenantId, string name, TokenScopes scopes, DateTimeOffset? expiresAt, string createdBy, CancellationToken ct = default)
    {
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = await StoreAsync(tenantId, name, secret, scopes, expiresAt, createdBy, ct);
        return new CreatedToken(token, secret);
    }

    /// <summary>Stores a token whose secret the caller chose (provisioning files). Replaces a token of the same name.</summary>
    public async Task<ApiToken> StoreAsync(string tenantId, string name, string secret, TokenScopes scopes, DateTimeOffset? expiresAt, string createdBy, CancellationToken ct = default)
    {
        if (secret.Length < MinSecretLength)
            throw new ArgumentException($"token \"{name}\" is too short: use at least {MinSecretLength} characters", nameof(secret));
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a token needs a name", nameof(name));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var existing = await db.ApiTokens.SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Name == name, ct);
        if (existing is not null)
        {
            db.ApiTokens.Remove(existing);
            Forget(existing.Id);
        }
        var token = new ApiToken
        {
            TenantId = tenantId,
            Name = name,
            Prefix = secret[..PrefixLength],
            Hash = HashSecret(secret),
            Scopes = scopes,
            CreatedAt = clock.GetUtcNow(),
            ExpiresAt = expiresAt,
            CreatedBy = createdBy,
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>
    /// Checks a presented secret. When <paramref name="tenantId"/> is given (basic auth), the token must
    /// belong to that tenant. Records the time of use. Failures say why, without revealing whether a
    /// token of another tenant matched.
    /// </summary>
    public async Task<TokenCheck> VerifyAsync(string secret, string? tenantId, CancellationToken ct = default)
    {
        if (secret.Length < MinSecretLength) return new(null, "invalid token");
        var prefix = secret[..PrefixLength];
        var hash = HashSecret(secret);
        var key = Convert.ToHexString(hash);
        var now = clock.GetUtcNow();
        if (_verified.TryGetValue(key, out var seen) && now - seen.CheckedAt < VerifiedFor)
        {
            var t = seen.Token;
            if (tenantId is not null && t.TenantId != tenantId) return new(null, "invalid token");
            if (t.ExpiresAt is { } expiry && expiry <= now) return new(null, "token has expired");
            return new(t, null);
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var candidates = await db.ApiTokens.Where(t => t.Prefix == prefix).ToListAsync(ct);
        foreach (var token in candidates)
        {
            if (!CryptographicOperations.FixedTimeEquals(token.Hash, hash)) continue;
            if (tenantId is not null && token.TenantId != tenantId) return new(null, "invalid token");
            if (token.RevokedAt is not null) return new(null, "token has been revoked");
            if (token.ExpiresAt is { } exp && exp <= now) return new(null, "token has expired");
            if (token.LastUsedAt is null || now - token.LastUsedAt.Value > TimeSpan.FromMinutes(1))
            {
                token.LastUsedAt = now;
                await db.SaveChangesAsync(ct);
            }
            if (_verified.Count >= MaxRemembered) _verified.Clear();
            _verified[key] = new Verified(token, now);
            return new(token, null);
        }
        return new(null, "invalid token");
    }

    /// <summary>Revokes a tenant's token by id; false when the tenant has no such token.</summary>
    public async Task<bool> RevokeAsync(string tenantId, long tokenId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Id == tokenId, ct);
        if (token is null) return false;
        token.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        Forget(token.Id);
        return true;
    }

    /// <summary>
    /// Revokes the tenant's live tokens created by <paramref name="createdBy"/> whose names are not in
    /// <paramref name="keep"/> (provisioning: tokens whose entry left the file); returns how many.
    /// </summary>
    public async Task<int> RevokeCreatedByExceptAsync(string tenantId, string createdBy, IReadOnlySet<string> keep, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var live = await db.ApiTokens.Where(t => t.TenantId == tenantId && t.CreatedBy == createdBy && t.RevokedAt == null).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var stale = live.Where(t => !keep.Contains(t.Name)).ToList();
        foreach (var t in stale) t.RevokedAt = now;
        await db.SaveChangesAsync(ct);
        foreach (var t in stale) Forget(t.Id);
        return stale.Count;
    }

    private void Forget(long tokenId)
    {
        foreach (var (key, v) in _verified)
            if (v.Token.Id == tokenId) _verified.TryRemove(key, out _);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ApiTokens.Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).AsNoTracking().ToListAsync(ct);
    }

    internal static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
