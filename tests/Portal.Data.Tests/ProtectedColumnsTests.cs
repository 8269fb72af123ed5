using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Tests;

/// <summary>Secret-bearing columns are encrypted at rest and read back intact; plain text written earlier still reads.</summary>
public abstract class ProtectedColumnsTests : IAsyncLifetime
{
    private const string SmtpPassword = "smtp-pa55-word-at-rest";
    private const string SlackUrl = "https://hooks.slack.com/services/T000/B000/at-rest-token";

    private TestDatabase? _db;
    protected abstract DatabaseProvider Provider { get; }
    private IDbContextFactory<PortalDbContext> Contexts => _db!.Contexts;

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

    /// <summary>Reads one column as stored, bypassing the model's conversions.</summary>
    private async Task<string> RawAsync(string table, string column, long id)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT \"{column}\" FROM \"{table}\" WHERE \"Id\" = @id";
        AddParameter(cmd, "@id", id);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Overwrites one column as stored, as a row written before encryption would be.</summary>
    private async Task WriteRawAsync(string table, string column, long id, string value)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"UPDATE \"{table}\" SET \"{column}\" = @v WHERE \"Id\" = @id";
        AddParameter(cmd, "@v", value);
        AddParameter(cmd, "@id", id);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private async Task<(ConfigRevision Revision, TeamReceiver Receiver)> SaveSecretsAsync(string tenant)
    {
        await new TenantService(Contexts, TimeProvider.System).CreateAsync(tenant, "Secrets", null);
        var yaml = $"global:\n  smtp_auth_password: '{SmtpPassword}'\n  slack_api_url: '{SlackUrl}'\nroute:\n  receiver: x\nreceivers:\n  - name: x\n";
        var revision = await new ConfigRevisionStore(Contexts, TimeProvider.System).AddAsync(tenant, ConfigKind.Alertmanager, "alertmanager.yml", yaml, "alice");
        var team = await new TeamService(Contexts, TimeProvider.System).CreateAsync(tenant, "ops", "alice");
        var settings = $$"""{"to":"ops@example.com","auth_password":"{{SmtpPassword}}","api_url":"{{SlackUrl}}"}""";
        var receiver = await new TeamReceiverService(Contexts, TimeProvider.System)
            .SaveReceiverAsync(tenant, team.Id, 0, "mail", ReceiverKind.Email, settings, "alice");
        return (revision, receiver!);
    }

    [SkippableFact]
    public async Task SecretsAreEncryptedInTheDatabaseAndReadBackIntact()
    {
        SkipWithoutDatabase();
        var (revision, receiver) = await SaveSecretsAsync("secrets-a");

        foreach (var (table, column, id) in new[] { ("ConfigRevisions", "Yaml", revision.Id), ("TeamReceivers", "SettingsJson", receiver.Id) })
        {
            var raw = await RawAsync(table, column, id);
            Assert.StartsWith(ProtectedColumns.Prefix, raw);
            Assert.DoesNotContain(SmtpPassword, raw);
            Assert.DoesNotContain("hooks.slack.com", raw);
        }

        var current = await new ConfigRevisionStore(Contexts, TimeProvider.System).CurrentAsync("secrets-a", ConfigKind.Alertmanager, "alertmanager.yml");
        Assert.Equal(revision.Yaml, current!.Yaml);
        Assert.Contains(SmtpPassword, current.Yaml);
        var listed = Assert.Single(await new TeamReceiverService(Contexts, TimeProvider.System).ListAsync("secrets-a"));
        Assert.Equal(receiver.SettingsJson, Assert.Single(listed.Receivers).SettingsJson);
        Assert.Contains(SlackUrl, receiver.SettingsJson);
    }

    [SkippableFact]
    public async Task PlainTextWrittenBeforeEncryptionStillReadsAndIsEncryptedWhenItNextChanges()
    {
        SkipWithoutDatabase();
        var (revision, receiver) = await SaveSecretsAsync("secrets-b");
        const string legacyYaml = "route:\n  receiver: legacy\nreceivers:\n  - name: legacy\n";
        const string legacyJson = """{"url":"http://legacy.example/hook"}""";
        await WriteRawAsync("ConfigRevisions", "Yaml", revision.Id, legacyYaml);
        await WriteRawAsync("TeamReceivers", "SettingsJson", receiver.Id, legacyJson);

        var current = await new ConfigRevisionStore(Contexts, TimeProvider.System).CurrentAsync("secrets-b", ConfigKind.Alertmanager, "alertmanager.yml");
        Assert.Equal(legacyYaml, current!.Yaml);
        var receivers = new TeamReceiverService(Contexts, TimeProvider.System);
        var listed = Assert.Single(Assert.Single(await receivers.ListAsync("secrets-b")).Receivers);
        Assert.Equal(legacyJson, listed.SettingsJson);

        const string changedJson = """{"url":"http://legacy.example/hook2"}""";
        await receivers.SaveReceiverAsync("secrets-b", listed.TeamId, listed.Id, listed.Name, listed.Kind, changedJson, "alice");
        var raw = await RawAsync("TeamReceivers", "SettingsJson", receiver.Id);
        Assert.StartsWith(ProtectedColumns.Prefix, raw);
        Assert.DoesNotContain("legacy.example", raw);
    }

    [SkippableFact]
    public async Task EncryptionChangesNeitherTheSchemaNorTheDesignTimeModel()
    {
        SkipWithoutDatabase();
        await using var db = await Contexts.CreateDbContextAsync();
        Assert.False(db.Database.HasPendingModelChanges());
        Assert.NotNull(db.Model.FindEntityType(typeof(ConfigRevision))!.FindProperty(nameof(ConfigRevision.Yaml))!.GetValueConverter());

        await using var design = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.Null(design.Model.FindEntityType(typeof(ConfigRevision))!.FindProperty(nameof(ConfigRevision.Yaml))!.GetValueConverter());
        Assert.Null(design.Model.FindEntityType(typeof(TeamReceiver))!.FindProperty(nameof(TeamReceiver.SettingsJson))!.GetValueConverter());
    }
}

public sealed class SqliteProtectedColumnsTests : ProtectedColumnsTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresProtectedColumnsTests : ProtectedColumnsTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
