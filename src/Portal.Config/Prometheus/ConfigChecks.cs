namespace Portal.Config.Prometheus;

/// <summary>Checks shared by several Prometheus sections.</summary>
internal static class ConfigChecks
{
    internal static readonly HashSet<string> ReservedRemoteHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive",
        "proxy-authenticate", "proxy-authorization", "www-authenticate", "accept-encoding",
        "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
        "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
    };

    public static void CheckRemoteHeaders(LoadContext ctx, ConfigObject owner, Dictionary<string, string>? headers)
    {
        if (headers is null) return;
        foreach (var h in headers.Keys)
        {
            if (string.Equals(h, "authorization", StringComparison.OrdinalIgnoreCase))
                ctx.Error(owner, "headers", "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter");
            else if (ReservedRemoteHeaders.Contains(h))
                ctx.Error(owner, "headers", $"{h} is a reserved header. It must not be changed");
        }
    }

    public static void NoNullItems<T>(LoadContext ctx, ConfigObject owner, string key, List<T>? items, string message) where T : class
    {
        if (items is null) return;
        foreach (var i in items)
            if (i is null) { ctx.Error(owner, key, message); return; }
    }

    /// <summary>
    /// Why <paramref name="target"/> cannot be a host[:port] address (a non-numeric port, quotes or spaces), or null.
    /// Prometheus only finds these when scraping; Portal reports them on load, where the typo is.
    /// </summary>
    internal static string? TargetProblem(string target)
    {
        foreach (char c in target)
            if (c is '"' or '\'' or ' ' or '\t' or '`') return $"it contains {(c == ' ' || c == '\t' ? "whitespace" : "the character " + c)}";
        int colon = target.LastIndexOf(':');
        if (target.StartsWith('['))
        {
            int close = target.IndexOf(']');
            if (close < 0) return "the IPv6 address is missing its closing ']'";
            if (colon < close) return null;
        }
        else if (colon < 0 || target.IndexOf(':') != colon) return null;
        var port = target[(colon + 1)..];
        if (port.Length == 0) return "the port is empty";
        foreach (char c in port)
            if (!char.IsAsciiDigit(c)) return $"the port \"{port}\" is not a number";
        if (port.Length > 5 || int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) > 65535) return $"the port {port} is out of range";
        return null;
    }

    /// <summary>Prometheus refuses URLs in static targets (a common mistake): a target must be host:port.</summary>
    public static void CheckStaticTargets(LoadContext ctx, ServiceDiscoveryConfigs sd)
    {
        foreach (var sc in sd.Static ?? [])
        {
            if (sc?.Targets is null) continue;
            foreach (var t in sc.Targets)
            {
                if (t is null) continue;
                if (t.Contains('/'))
                    ctx.Error(sc, "targets", $"\"{t}\" is not a valid hostname (a target is host:port; put the scheme in 'scheme' and the path in 'metrics_path')");
                else if (TargetProblem(t) is { } problem)
                    ctx.Error(sc, "targets", $"\"{t}\" is not a valid target address: {problem}");
            }
        }
    }
}
