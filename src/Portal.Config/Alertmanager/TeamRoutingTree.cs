using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Config.Alertmanager;

/// <summary>
/// One receiver of a team: its name (unique in the team), the Alertmanager list it belongs to
/// (<c>slack_configs</c>, <c>email_configs</c>, <c>webhook_configs</c>) and its settings as a JSON object whose keys
/// are Alertmanager's (<c>api_url</c>, <c>channel</c>, <c>to</c>, <c>url</c>, <c>title</c>, <c>text</c>, …).
/// </summary>
public sealed record TeamReceiverSpec(string Name, string ConfigsKey, string SettingsJson);

/// <summary>
/// A team's routing rule: Alertmanager matcher lines (empty = <c>team="&lt;team&gt;"</c>), group_by label names (null
/// = inherit) and timings in Prometheus duration syntax (null = inherit).
/// </summary>
public sealed record TeamRouteSpec(
    IReadOnlyList<string> Matchers,
    IReadOnlyList<string>? GroupBy = null,
    string? GroupWait = null,
    string? GroupInterval = null,
    string? RepeatInterval = null);

/// <summary>A team with its receivers and routing rule, as the routing tree generator takes it.</summary>
public sealed record TeamRouting(string Team, IReadOnlyList<TeamReceiverSpec> Receivers, TeamRouteSpec Route);

/// <summary>The generated alertmanager.yml, and why it cannot run when <see cref="Errors"/> is not empty.</summary>
public sealed record TeamRoutingResult(string Yaml, IReadOnlyList<ConfigError> Errors, AlertmanagerConfig? Config)
{
    public bool Success => Errors.Count == 0 && Config is not null;
}

/// <summary>
/// Builds a tenant's routing tree from its teams plus its hand-written alertmanager.yml. Each team with receivers
/// becomes a child route of the root, placed before the hand-written child routes, matching its matchers
/// (<c>team="&lt;name&gt;"</c> by default), with its group_by and timings and <c>continue: false</c>; under it one
/// child route per receiver (<c>continue: true</c>, so every receiver of the team is notified) to the receiver
/// named <c>&lt;team&gt;/&lt;receiver&gt;</c>. Teams without receivers add nothing. The result is YAML text loaded
/// through <see cref="AlertmanagerConfigLoader"/>, so it is exactly what Alertmanager would read. Thread-safe.
/// </summary>
public static class TeamRoutingTree
{
    /// <summary>The document name errors in the generated configuration are reported against.</summary>
    public const string GeneratedDocument = "alertmanager.yml (generated)";

    /// <summary>The receiver name of a team's receiver.</summary>
    public static string ReceiverName(string team, string receiver) => team + "/" + receiver;

    /// <summary>The team a generated receiver name belongs to; null for hand-written receivers (no slash).</summary>
    public static string? TeamOf(string receiverName)
    {
        int i = receiverName.LastIndexOf('/');
        return i <= 0 ? null : receiverName[..i];
    }

    /// <summary>
    /// Merges <paramref name="teams"/> into <paramref name="handWrittenYaml"/> (null or blank: Alertmanager's minimal
    /// configuration, one receiver <c>default</c> that sends nothing). Errors in the hand-written document come back
    /// as they are; a team's bad settings are reported naming the team and receiver.
    /// </summary>
    public static TeamRoutingResult Generate(string? handWrittenYaml, IReadOnlyList<TeamRouting> teams)
    {
        var baseYaml = string.IsNullOrWhiteSpace(handWrittenYaml) ? DefaultYaml : handWrittenYaml;
        var errors = new List<ConfigError>();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(baseYaml));
            root = stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode m ? m : new YamlMappingNode();
        }
        catch (YamlException e)
        {
            return new(baseYaml, [new ConfigError("alertmanager.yml", (int)e.Start.Line, (int)e.Start.Column, e.Message)], null);
        }
        if (teams.Count == 0 || teams.All(t => t.Receivers.Count == 0))
            return Load(baseYaml, errors);

        var receivers = Child<YamlSequenceNode>(root, "receivers");
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in receivers.Children)
            if (r is YamlMappingNode rm && rm.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode s && s.Value is { } v)
                taken.Add(v);
        var route = Child<YamlMappingNode>(root, "route");
        var children = Child<YamlSequenceNode>(route, "routes");
        var teamRoutes = new List<YamlNode>();
        foreach (var team in teams)
        {
            if (team.Receivers.Count == 0) continue;
            var teamRoute = new YamlMappingNode();
            var first = ReceiverName(team.Team, team.Receivers[0].Name);
            teamRoute.Add("receiver", Quoted(first));
            var matchers = team.Route.Matchers.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim()).ToList();
            if (matchers.Count == 0) matchers.Add("team=" + GoQuote(team.Team));
            teamRoute.Add("matchers", new YamlSequenceNode(matchers.Select(Quoted)));
            if (team.Route.GroupBy is { Count: > 0 } gb) teamRoute.Add("group_by", new YamlSequenceNode(gb.Select(Quoted)));
            if (!string.IsNullOrWhiteSpace(team.Route.GroupWait)) teamRoute.Add("group_wait", Plain(team.Route.GroupWait.Trim()));
            if (!string.IsNullOrWhiteSpace(team.Route.GroupInterval)) teamRoute.Add("group_interval", Plain(team.Route.GroupInterval.Trim()));
            if (!string.IsNullOrWhiteSpace(team.Route.RepeatInterval)) teamRoute.Add("repeat_interval", Plain(team.Route.RepeatInterval.Trim()));
            teamRoute.Add("continue", Plain("false"));
            var perReceiver = new YamlSequenceNode();
            foreach (var r in team.Receivers)
            {
                var name = ReceiverName(team.Team, r.Name);
                if (!taken.Add(name))
                {
                    errors.Add(new ConfigError(GeneratedDocument, 1, 1, $"team \"{team.Team}\": receiver name \"{name}\" is already used; rename the receiver or the hand-written one"));
                    continue;
                }
                var receiver = new YamlMappingNode { { "name", Quoted(name) } };
                YamlNode settings;
                try
                {
                    using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(r.SettingsJson) ? "{}" : r.SettingsJson);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("settings must be a JSON object");
                    settings = FromJson(doc.RootElement);
                }
                catch (JsonException e)
                {
                    errors.Add(new ConfigError(GeneratedDocument, 1, 1, $"team \"{team.Team}\", receiver \"{r.Name}\": settings are not valid JSON: {e.Message}"));
                    continue;
                }
                receiver.Add(r.ConfigsKey, new YamlSequenceNode(settings));
                receivers.Add(receiver);
                perReceiver.Add(new YamlMappingNode { { "receiver", Quoted(name) }, { "continue", Plain("true") } });
            }
            teamRoute.Add("routes", perReceiver);
            teamRoutes.Add(teamRoute);
        }
        var merged = new YamlSequenceNode(teamRoutes.Concat(children.Children));
        route.Children[new YamlScalarNode("routes")] = merged;

        var sb = new StringBuilder();
        using (var w = new StringWriter(sb))
            new YamlStream(new YamlDocument(root)).Save(w, assignAnchors: false);
        var yaml = sb.ToString();
        if (yaml.EndsWith("...\n", StringComparison.Ordinal)) yaml = yaml[..^4];
        return Load(yaml, errors);
    }

    private const string DefaultYaml = "route:\n  receiver: default\nreceivers:\n  - name: default\n";

    private static TeamRoutingResult Load(string yaml, List<ConfigError> errors)
    {
        var loaded = AlertmanagerConfigLoader.Load(yaml, GeneratedDocument);
        errors.AddRange(loaded.Errors);
        return new(yaml, errors, errors.Count == 0 ? loaded.Config : null);
    }

    private static T Child<T>(YamlMappingNode parent, string key) where T : YamlNode, new()
    {
        var k = new YamlScalarNode(key);
        if (parent.Children.TryGetValue(k, out var existing) && existing is T t) return t;
        var created = new T();
        parent.Children[k] = created;
        return created;
    }

    private static YamlScalarNode Quoted(string v) => new(v) { Style = ScalarStyle.DoubleQuoted };

    private static YamlScalarNode Plain(string v) => new(v) { Style = ScalarStyle.Plain };

    /// <summary>A Go double-quoted string literal, as Alertmanager's matcher syntax reads it.</summary>
    public static string GoQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static YamlNode FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new YamlMappingNode(e.EnumerateObject().Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Name), FromJson(p.Value)))),
        JsonValueKind.Array => new YamlSequenceNode(e.EnumerateArray().Select(FromJson)),
        JsonValueKind.String => Quoted(e.GetString()!),
        JsonValueKind.True => Plain("true"),
        JsonValueKind.False => Plain("false"),
        JsonValueKind.Number => Plain(e.GetRawText()),
        _ => Plain("null"),
    };
}
