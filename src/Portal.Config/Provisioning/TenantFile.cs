using Portal.Config.Yaml;

namespace Portal.Config.Provisioning;

/// <summary>
/// <c>tenants/&lt;slug&gt;/tenant.yml</c> in a provisioning folder: the tenant's display name, API tokens
/// (secrets in plain text here, stored hashed) and members.
/// </summary>
[YamlType("tenant")]
public sealed class TenantFile : ConfigObject
{
    public static readonly string[] Scopes = ["read", "write", "alerts", "admin"];
    public static readonly string[] Roles = ["owner", "admin", "editor", "viewer"];

    /// <summary>Provisioned token secrets must be at least this long.</summary>
    public const int MinTokenLength = 16;

    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("api_tokens")] public List<TenantFileToken>? ApiTokens { get; set; }
    [YamlKey("members")] public List<TenantFileMember>? Members { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrWhiteSpace(Name)) ctx.Error(this, IsSet("name") ? "name" : null, "name must be set: the tenant's display name");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in ApiTokens ?? [])
            if (t?.Name is { Length: > 0 } n && !names.Add(n)) ctx.Error(t, "name", $"api token name \"{n}\" is repeated");
        var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in Members ?? [])
            if (m?.Email is { Length: > 0 } e && !emails.Add(e)) ctx.Error(m, "email", $"member \"{e}\" is listed twice");
    }
}

/// <summary>One provisioned API token.</summary>
[YamlType("api_token")]
public sealed class TenantFileToken : ConfigObject
{
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("token")] public Secret? Token { get; set; }
    [YamlKey("scopes")] public List<string>? Scopes { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrWhiteSpace(Name)) ctx.Error(this, IsSet("name") ? "name" : null, "api token needs a name");
        var secret = Token?.Value ?? "";
        if (secret.Length < TenantFile.MinTokenLength)
            ctx.Error(this, IsSet("token") ? "token" : null, $"api token \"{Name}\" must be at least {TenantFile.MinTokenLength} characters long; use a long random string");
        if (Scopes is null || Scopes.Count == 0)
            ctx.Error(this, IsSet("scopes") ? "scopes" : null, $"api token \"{Name}\" needs scopes: any of {string.Join(", ", TenantFile.Scopes)}");
        foreach (var s in Scopes ?? [])
            if (Array.IndexOf(TenantFile.Scopes, s) < 0)
                ctx.Error(this, "scopes", $"unknown scope \"{s}\": use {string.Join(", ", TenantFile.Scopes)}");
    }
}

/// <summary>One provisioned member: an account's email and its role in the tenant.</summary>
[YamlType("member")]
public sealed class TenantFileMember : ConfigObject
{
    [YamlKey("email")] public string? Email { get; set; }
    [YamlKey("role")] public string? Role { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrWhiteSpace(Email) || !Email.Contains('@'))
            ctx.Error(this, IsSet("email") ? "email" : null, "member needs an email address");
        if (Role is null || Array.IndexOf(TenantFile.Roles, Role) < 0)
            ctx.Error(this, IsSet("role") ? "role" : null, $"member role must be one of {string.Join(", ", TenantFile.Roles)}");
    }
}

/// <summary>Loads tenant.yml strictly, every error with line:column. Thread-safe.</summary>
public static class TenantFileLoader
{
    public static ConfigLoadResult<TenantFile> Load(string yaml, string fileName)
    {
        YDocument doc;
        try
        {
            doc = YamlTreeBuilder.Parse(yaml);
        }
        catch (YamlSyntaxException e)
        {
            return new(null, [new ConfigError(fileName, e.Position.Line, e.Position.Column, e.Message)], []);
        }
        var ctx = new LoadContext(fileName, doc);
        var file = doc.Root is null ? new TenantFile() : Binder.Bind<TenantFile>(doc.Root, ctx);
        if (doc.Root is null) file!.Validate(ctx);
        return new(file, ctx.Errors, ctx.Notes);
    }
}
