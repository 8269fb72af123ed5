using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Tests;

/// <summary>The metadata stores' behaviour, run against each provider by the subclasses below.</summary>
public abstract class DataStoreTests : IAsyncLifetime
{
    private TestDatabase? _db;
    protected abstract DatabaseProvider Provider { get; }
    protected IDbContextFactory<PortalDbContext> Contexts => _db!.Contexts;

    public async Task InitializeAsync()
    {
        if (Provider == DatabaseProvider.Postgres && TestDatabase.PostgresServer is null) return;
        _db = await TestDatabase.CreateAsync(Provider);
    }

    public async Task DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
    }

    private void SkipWithoutDatabase() => Skip.If(_db is null, TestDatabase.PostgresSkipReason);

    private async Task<string> AddUserAsync(string email)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var user = new PortalUser { UserName = email, Email = email, CreatedAt = DateTimeOffset.UtcNow };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    [SkippableFact]
    public async Task MigrationsLeaveNothingPending()
    {
        SkipWithoutDatabase();
        await using var db = await Contexts.CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Contains(await db.Database.GetAppliedMigrationsAsync(), m => m.EndsWith("_Initial"));
    }

    [SkippableFact]
    public async Task CreatingATenantMakesItsCreatorOwnerAndIsAudited()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        var owner = await AddUserAsync("owner@example.com");
        await tenants.CreateAsync("demo-team", "Demo team", owner);

        Assert.Equal(TenantRole.Owner, await tenants.RoleOfAsync("demo-team", owner));
        var mine = await tenants.TenantsOfAsync(owner);
        Assert.Equal("Demo team", Assert.Single(mine).Tenant.Name);
        await using var db = await Contexts.CreateDbContextAsync();
        Assert.Contains(db.AuditLog, a => a.TenantId == "demo-team" && a.Action == "tenant.create");
    }

    [SkippableFact]
    public async Task TenantIdsAreUniqueAndValidated()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        await tenants.CreateAsync("acme", "Acme", null);
        var taken = await Assert.ThrowsAsync<InvalidOperationException>(() => tenants.CreateAsync("acme", "Other", null));
        Assert.Contains("taken", taken.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => tenants.CreateAsync("Bad Slug", "x", null));
        Assert.Equal("acme-2", await tenants.FreeSlugAsync("ACME"));
    }

    [SkippableFact]
    public async Task TokensVerifyOnlyForTheirTenantAndStoreNoSecret()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        await tenants.CreateAsync("team-a", "A", null);
        await tenants.CreateAsync("team-b", "B", null);
        var tokens = new ApiTokenService(Contexts, TimeProvider.System);
        var created = await tokens.CreateAsync("team-a", "grafana", TokenScopes.Read, null, "test");

        Assert.StartsWith(ApiTokenService.SecretPrefix, created.Secret);
        var ok = await tokens.VerifyAsync(created.Secret, "team-a");
        Assert.True(ok.Ok);
        Assert.Equal(TokenScopes.Read, ok.Token!.Scopes);
        Assert.True((await tokens.VerifyAsync(created.Secret, null)).Ok);
        Assert.False((await tokens.VerifyAsync(created.Secret, "team-b")).Ok);
        Assert.False((await tokens.VerifyAsync(created.Secret + "x", "team-a")).Ok);

        await using var db = await Contexts.CreateDbContextAsync();
        var row = await db.ApiTokens.SingleAsync();
        Assert.DoesNotContain(created.Secret, System.Text.Encoding.UTF8.GetString(row.Hash));
        Assert.NotNull(row.LastUsedAt);
    }

    [SkippableFact]
    public async Task RevokedAndExpiredTokensAreRefusedWithTheReason()
    {
        SkipWithoutDatabase();
        await new TenantService(Contexts, TimeProvider.System).CreateAsync("team-a", "A", null);
        var tokens = new ApiTokenService(Contexts, TimeProvider.System);
        var revoked = await tokens.CreateAsync("team-a", "old", TokenScopes.All, null, "test");
        Assert.True(await tokens.RevokeAsync("team-a", revoked.Token.Id));
        Assert.False(await tokens.RevokeAsync("team-b", revoked.Token.Id));
        Assert.Equal("token has been revoked", (await tokens.VerifyAsync(revoked.Secret, "team-a")).Failure);

        var expired = await tokens.CreateAsync("team-a", "short", TokenScopes.Read, DateTimeOffset.UtcNow.AddSeconds(-1), "test");
        Assert.Equal("token has expired", (await tokens.VerifyAsync(expired.Secret, "team-a")).Failure);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [SkippableFact]
    public async Task ACheckedTokenIsTrustedBrieflyButRevocationHereTakesEffectAtOnce()
    {
        SkipWithoutDatabase();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await new TenantService(Contexts, clock).CreateAsync("team-a", "A", null);
        var tokens = new ApiTokenService(Contexts, clock);
        var a = await tokens.CreateAsync("team-a", "grafana", TokenScopes.Read, null, "test");
        var b = await tokens.CreateAsync("team-a", "push", TokenScopes.Write, clock.Now.AddSeconds(5), "test");
        Assert.True((await tokens.VerifyAsync(a.Secret, "team-a")).Ok);
        Assert.True((await tokens.VerifyAsync(b.Secret, "team-a")).Ok);

        // Revoked through the service: refused on the next request.
        Assert.True(await tokens.RevokeAsync("team-a", a.Token.Id));
        Assert.Equal("token has been revoked", (await tokens.VerifyAsync(a.Secret, "team-a")).Failure);

        // A remembered check still honours expiry and the tenant.
        clock.Now = clock.Now.AddSeconds(6);
        Assert.Equal("token has expired", (await tokens.VerifyAsync(b.Secret, "team-a")).Failure);
        var c = await tokens.CreateAsync("team-a", "other", TokenScopes.Read, null, "test");
        Assert.True((await tokens.VerifyAsync(c.Secret, "team-a")).Ok);
        Assert.False((await tokens.VerifyAsync(c.Secret, "team-b")).Ok);

        // Revoked behind the service's back (another node): trusted until the remembered check is too old.
        await using (var db = await Contexts.CreateDbContextAsync())
        {
            var row = await db.ApiTokens.SingleAsync(t => t.Id == c.Token.Id);
            row.RevokedAt = clock.Now;
            await db.SaveChangesAsync();
        }
        Assert.True((await tokens.VerifyAsync(c.Secret, "team-a")).Ok);
        clock.Now = clock.Now + ApiTokenService.VerifiedFor;
        Assert.Equal("token has been revoked", (await tokens.VerifyAsync(c.Secret, "team-a")).Failure);
    }

    [SkippableFact]
    public async Task ProvisioningRevokesTheTokensThatLeftItsFile()
    {
        SkipWithoutDatabase();
        await new TenantService(Contexts, TimeProvider.System).CreateAsync("team-a", "A", null, provisioned: true);
        var tokens = new ApiTokenService(Contexts, TimeProvider.System);
        await tokens.StoreAsync("team-a", "kept", "kept-long-secret-1", TokenScopes.Read, null, "provisioning");
        await tokens.StoreAsync("team-a", "gone", "gone-long-secret-2", TokenScopes.Read, null, "provisioning");
        var mine = await tokens.CreateAsync("team-a", "by-hand", TokenScopes.Read, null, "user-1");
        Assert.True((await tokens.VerifyAsync("gone-long-secret-2", "team-a")).Ok);

        Assert.Equal(1, await tokens.RevokeCreatedByExceptAsync("team-a", "provisioning", new HashSet<string> { "kept" }));
        Assert.Equal("token has been revoked", (await tokens.VerifyAsync("gone-long-secret-2", "team-a")).Failure);
        Assert.True((await tokens.VerifyAsync("kept-long-secret-1", "team-a")).Ok);
        Assert.True((await tokens.VerifyAsync(mine.Secret, "team-a")).Ok);
    }

    [SkippableFact]
    public async Task ProvisionedTokensReplaceTheirNamesakeAndMustBeLongEnough()
    {
        SkipWithoutDatabase();
        await new TenantService(Contexts, TimeProvider.System).CreateAsync("team-a", "A", null, provisioned: true);
        var tokens = new ApiTokenService(Contexts, TimeProvider.System);
        await tokens.StoreAsync("team-a", "grafana", "first-long-secret-1", TokenScopes.Read, null, "provisioning");
        await tokens.StoreAsync("team-a", "grafana", "second-long-secret-2", TokenScopes.All, null, "provisioning");
        Assert.False((await tokens.VerifyAsync("first-long-secret-1", "team-a")).Ok);
        Assert.Equal(TokenScopes.All, (await tokens.VerifyAsync("second-long-secret-2", "team-a")).Token!.Scopes);
        Assert.Single(await tokens.ListAsync("team-a"));
        await Assert.ThrowsAsync<ArgumentException>(() => tokens.StoreAsync("team-a", "x", "short", TokenScopes.Read, null, "p"));
    }

    [SkippableFact]
    public async Task InvalidRevisionsAreKeptButNeverRun()
    {
        SkipWithoutDatabase();
        await new TenantService(Contexts, TimeProvider.System).CreateAsync("team-a", "A", null);
        var store = new ConfigRevisionStore(Contexts, TimeProvider.System);
        var good = await store.AddAsync("team-a", ConfigKind.Prometheus, "prometheus.yml", "scrape_configs: []\n", "alice");
        await store.AddAsync("team-a", ConfigKind.Prometheus, "prometheus.yml", "scrape_configs: [\n", "bob", ["1:16: did not find expected node content"]);

        var current = await store.CurrentAsync("team-a", ConfigKind.Prometheus, "prometheus.yml");
        Assert.Equal(good.Id, current!.Id);
        var history = await store.HistoryAsync("team-a", ConfigKind.Prometheus, "prometheus.yml");
        Assert.Equal(2, history.Count);
        Assert.False(history[0].Valid);
        Assert.Contains("1:16", history[0].Errors);
    }

    [SkippableFact]
    public async Task TeamsHoldOnlyTheirTenantsMembersAndStayInsideTheirTenant()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        var alice = await AddUserAsync("alice@example.com");
        var mallory = await AddUserAsync("mallory@example.com");
        await tenants.CreateAsync("team-a", "A", alice);
        await tenants.CreateAsync("team-b", "B", mallory);
        var teams = new TeamService(Contexts, TimeProvider.System);

        var sre = await teams.CreateAsync("team-a", "SRE", alice);
        await Assert.ThrowsAsync<InvalidOperationException>(() => teams.CreateAsync("team-a", " SRE ", alice));
        await teams.CreateAsync("team-b", "SRE", mallory);

        Assert.True(await teams.AddMemberAsync("team-a", sre.Id, alice, alice));
        Assert.False(await teams.AddMemberAsync("team-a", sre.Id, mallory, alice));
        Assert.False(await teams.AddMemberAsync("team-b", sre.Id, mallory, mallory));
        Assert.False(await teams.DeleteAsync("team-b", sre.Id, mallory));

        var listed = Assert.Single(await teams.ListAsync("team-a"));
        Assert.Equal(alice, Assert.Single(listed.Members).UserId);
        Assert.True(await teams.RemoveMemberAsync("team-a", sre.Id, alice, alice));
        Assert.True(await teams.DeleteAsync("team-a", sre.Id, alice));
        Assert.Empty(await teams.ListAsync("team-a"));
        Assert.Single(await teams.ListAsync("team-b"));
    }

    [SkippableFact]
    public async Task ReceiverNamesAreUniquePerTeamAndStayInsideTheirTenant()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        await tenants.CreateAsync("team-a", "A", null);
        await tenants.CreateAsync("team-b", "B", null);
        var teams = new TeamService(Contexts, TimeProvider.System);
        var sre = await teams.CreateAsync("team-a", "SRE", "alice");
        var db = await teams.CreateAsync("team-a", "DB", "alice");
        var other = await teams.CreateAsync("team-b", "Ops", "mallory");
        var receivers = new TeamReceiverService(Contexts, TimeProvider.System);

        Assert.NotNull(await receivers.SaveReceiverAsync("team-a", sre.Id, 0, "slack", ReceiverKind.Slack, "{}", "alice"));
        Assert.NotNull(await receivers.SaveReceiverAsync("team-a", db.Id, 0, "slack", ReceiverKind.Slack, "{}", "alice"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => receivers.SaveReceiverAsync("team-a", sre.Id, 0, "slack", ReceiverKind.Email, "{}", "alice"));
        Assert.Contains("team SRE already has a receiver named \"slack\"", e.Message);
        Assert.Null(await receivers.SaveReceiverAsync("team-b", sre.Id, 0, "hook", ReceiverKind.Webhook, "{}", "mallory"));
        Assert.NotNull(await receivers.SaveReceiverAsync("team-b", other.Id, 0, "slack", ReceiverKind.Slack, "{}", "mallory"));
    }

    [SkippableFact]
    public async Task RollbackMakesAnOldRevisionCurrentAndStaysInsideItsTenant()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        await tenants.CreateAsync("team-a", "A", null);
        await tenants.CreateAsync("team-b", "B", null);
        var store = new ConfigRevisionStore(Contexts, TimeProvider.System);
        var v1 = await store.AddAsync("team-a", ConfigKind.Rules, "node.yml", "groups: []\n", "alice");
        await store.AddAsync("team-a", ConfigKind.Rules, "node.yml", "groups: [{name: x, rules: []}]\n", "alice");

        Assert.Null(await store.RollbackAsync("team-b", v1.Id, "mallory"));
        var back = await store.RollbackAsync("team-a", v1.Id, "alice");
        Assert.Equal("groups: []\n", back!.Yaml);
        Assert.Equal(back.Id, (await store.CurrentAsync("team-a", ConfigKind.Rules, "node.yml"))!.Id);
    }
    [SkippableFact]
    public async Task AlertHistoryIsFilteredPerTenantAndOldRowsAreDeleted()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        await tenants.CreateAsync("hist-a", "A", null);
        await tenants.CreateAsync("hist-b", "B", null);
        var store = new AlertHistoryStore(Contexts);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        AlertStateChange C(string tenant, string name, string state, string env, DateTimeOffset at, string fp) => new()
        {
            TenantId = tenant, Fingerprint = fp, AlertName = name, Team = "core", State = state,
            LabelsJson = AlertHistoryStore.LabelsToJson([new("alertname", name), new("env", env)]), AnnotationsJson = "{}", Value = 2.5, At = at,
        };
        NotificationAttempt N(string tenant, string fps, DateTimeOffset at) => new()
        {
            TenantId = tenant, Receiver = "core/hook", Team = "core", Integration = "webhook", At = at, Success = true, Summary = "s", Fingerprints = fps, AlertCount = 1,
        };
        await store.AddAsync(
        [
            C("hist-a", "Disk", "pending", "prod", now.AddMinutes(-3), "00000000000000a1"),
            C("hist-a", "Disk", "firing", "prod", now.AddMinutes(-2), "00000000000000a1"),
            C("hist-a", "Cpu", "firing", "dev", now.AddMinutes(-1), "00000000000000a2"),
            C("hist-a", "Old", "firing", "prod", now.AddDays(-40), "00000000000000a3"),
            C("hist-b", "Disk", "firing", "prod", now, "00000000000000b1"),
            C("gone", "Ghost", "firing", "prod", now, "00000000000000c1"),
        ],
        [N("hist-a", "00000000000000a1", now.AddMinutes(-1)), N("hist-a", "00000000000000a2", now), N("hist-b", "00000000000000b1", now)]);

        var all = await store.QueryAsync("hist-a", new AlertHistoryQuery());
        Assert.Equal(["Cpu", "Disk", "Disk", "Old"], all.Changes.Select(c => c.AlertName));
        Assert.Equal(now.AddMinutes(-1), all.Changes[0].At);
        Assert.Equal(2, all.Notifications.Count);
        Assert.Empty(await store.QueryAsync("gone", new AlertHistoryQuery()) is var g ? g.Changes : []);

        var prod = await store.QueryAsync("hist-a", new AlertHistoryQuery { MatcherSets = [[Portal.Model.Matcher.Equal("env", "prod")]], Start = now.AddHours(-1) });
        Assert.Equal(["firing", "pending"], prod.Changes.Select(c => c.State));
        Assert.Equal("00000000000000a1", Assert.Single(prod.Notifications).Fingerprints);
        var firing = await store.QueryAsync("hist-a", new AlertHistoryQuery { State = "firing", AlertName = "Disk" });
        Assert.Single(firing.Changes);
        Assert.Single(await store.QueryAsync("hist-a", new AlertHistoryQuery { Limit = 1 }) is var l ? l.Changes : []);
        Assert.Equal(["pending", "firing"], (await store.TimelineAsync("hist-a", "00000000000000a1")).Select(c => c.State));

        Assert.Equal(1, await store.DeleteOlderThanAsync(now.AddDays(-30)));
        Assert.DoesNotContain((await store.QueryAsync("hist-a", new AlertHistoryQuery())).Changes, c => c.AlertName == "Old");
    }

    [SkippableFact]
    public async Task TeamReceiversAndRoutesStayInsideTheirTenant()
    {
        SkipWithoutDatabase();
        var tenants = new TenantService(Contexts, TimeProvider.System);
        await tenants.CreateAsync("rcv-a", "A", null);
        await tenants.CreateAsync("rcv-b", "B", null);
        var teams = new TeamService(Contexts, TimeProvider.System);
        var receivers = new TeamReceiverService(Contexts, TimeProvider.System);
        var a = await teams.CreateAsync("rcv-a", "payments", "alice");
        var b = await teams.CreateAsync("rcv-b", "payments", "bob");

        var hook = await receivers.SaveReceiverAsync("rcv-a", a.Id, 0, "hook", ReceiverKind.Webhook, """{"url":"http://x/"}""", "alice");
        Assert.NotNull(hook);
        Assert.Null(await receivers.SaveReceiverAsync("rcv-b", a.Id, 0, "sneaky", ReceiverKind.Webhook, "{}", "bob"));
        Assert.Null(await receivers.SaveReceiverAsync("rcv-b", b.Id, hook!.Id, "hook", ReceiverKind.Webhook, "{}", "bob"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => receivers.SaveReceiverAsync("rcv-a", a.Id, 0, "hook", ReceiverKind.Email, "{}", "alice"));
        await Assert.ThrowsAsync<ArgumentException>(() => receivers.SaveReceiverAsync("rcv-a", a.Id, 0, "bad name", ReceiverKind.Email, "{}", "alice"));
        Assert.NotNull(await receivers.SaveReceiverAsync("rcv-b", b.Id, 0, "hook", ReceiverKind.Slack, "{}", "bob"));
        Assert.False(await receivers.DeleteReceiverAsync("rcv-b", hook.Id, "bob"));

        Assert.True(await receivers.SaveRouteAsync("rcv-a", a.Id, new TeamRoute { TenantId = "", GroupWait = " 10s ", Matchers = "" }, "alice"));
        Assert.False(await receivers.SaveRouteAsync("rcv-b", a.Id, new TeamRoute { TenantId = "" }, "bob"));
        var listA = Assert.Single(await receivers.ListAsync("rcv-a"));
        Assert.Equal("hook", Assert.Single(listA.Receivers).Name);
        Assert.Equal(ReceiverKind.Webhook, listA.Receivers[0].Kind);
        Assert.Equal("10s", listA.Route!.GroupWait);
        Assert.Null(listA.Route.Matchers);
        var listB = Assert.Single(await receivers.ListAsync("rcv-b"));
        Assert.Equal(ReceiverKind.Slack, Assert.Single(listB.Receivers).Kind);
        Assert.Null(listB.Route);

        Assert.True(await teams.DeleteAsync("rcv-a", a.Id, "alice"));
        Assert.Empty(await receivers.ListAsync("rcv-a"));
        await using var db = await Contexts.CreateDbContextAsync();
        Assert.False(await db.TeamReceivers.AnyAsync(r => r.TenantId == "rcv-a"));
        Assert.False(await db.TeamRoutes.AnyAsync(r => r.TenantId == "rcv-a"));
    }
}

public sealed class SqliteDataStoreTests : DataStoreTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresDataStoreTests : DataStoreTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
