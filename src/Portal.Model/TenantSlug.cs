using System.Text;

namespace Portal.Model;

/// <summary>Rules for tenant ids (slugs): 3–63 of a-z, 0-9 and '-', starting with a letter, not ending with '-'.</summary>
public static class TenantSlug
{
    public const int MaxLength = 63;

    /// <summary>Null when valid, else the reason in words a user can act on.</summary>
    public static string? Validate(string slug)
    {
        if (slug.Length is < 3 or > MaxLength) return $"a tenant id must be 3 to {MaxLength} characters long";
        if (slug[0] is < 'a' or > 'z') return "a tenant id must start with a lowercase letter";
        if (slug[^1] == '-') return "a tenant id must not end with '-'";
        foreach (char c in slug)
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                return $"a tenant id may contain only a-z, 0-9 and '-' (found '{c}')";
        return null;
    }

    /// <summary>A valid slug derived from a display name ("Demo Team!" → "demo-team"); padded when too short.</summary>
    public static string FromName(string name)
    {
        var sb = new StringBuilder();
        foreach (char raw in name.ToLowerInvariant())
        {
            char c = raw;
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
            if (sb.Length == MaxLength) break;
        }
        while (sb.Length > 0 && sb[^1] == '-') sb.Length--;
        if (sb.Length == 0 || sb[0] is < 'a' or > 'z') sb.Insert(0, "t-");
        while (sb.Length < 3) sb.Append('0');
        return sb.ToString();
    }
}
