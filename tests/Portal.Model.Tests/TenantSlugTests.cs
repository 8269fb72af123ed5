namespace Portal.Model.Tests;

public sealed class TenantSlugTests
{
    [Theory]
    [InlineData("demo", null)]
    [InlineData("team-42", null)]
    [InlineData("ab", "3 to 63")]
    [InlineData("9team", "start with a lowercase letter")]
    [InlineData("team-", "must not end")]
    [InlineData("Team", "start with a lowercase letter")]
    [InlineData("te_am", "found '_'")]
    public void ValidatesSlugs(string slug, string? reasonPart)
    {
        var reason = TenantSlug.Validate(slug);
        if (reasonPart is null) Assert.Null(reason);
        else Assert.Contains(reasonPart, reason);
    }

    [Theory]
    [InlineData("Demo Team!", "demo-team")]
    [InlineData("  Ops / SRE  ", "ops-sre")]
    [InlineData("42", "t-42")]
    [InlineData("Ω", "t-0")]
    public void DerivesValidSlugsFromNames(string name, string slug)
    {
        Assert.Equal(slug, TenantSlug.FromName(name));
        Assert.Null(TenantSlug.Validate(TenantSlug.FromName(name)));
    }
}
