using YamlDotNet.RepresentationModel;

namespace Portal.Web.Hosting;

/// <summary>How a tenant's configuration is shown back: the value of every secret field replaced by <c>&lt;secret&gt;</c>.</summary>
public static class ConfigDisplay
{
    public const string MaskText = "<secret>";

    /// <summary>
    /// Field names whose values are secrets in Prometheus's and Alertmanager's configurations
    /// (their <c>Secret</c>-typed fields), wherever they appear.
    /// </summary>
    public static readonly IReadOnlySet<string> SecretKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "password", "bearer_token", "credentials", "client_secret", "secret_key", "token", "key",
        "auth_password", "auth_secret", "smtp_auth_password", "smtp_auth_secret", "api_key", "api_url",
        "slack_api_url", "service_key", "routing_key", "bot_token", "webhook_url", "api_secret",
        "opsgenie_api_key", "victorops_api_key", "wechat_api_secret", "telegram_bot_token", "secrets",
    };

    /// <summary>The document with secret values masked; a document that does not parse is returned masked whole.</summary>
    public static string Mask(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return MaskText;
        }
        foreach (var doc in stream.Documents) MaskNode(doc.RootNode);
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static void MaskNode(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children.ToList())
                {
                    if (key is YamlScalarNode k && k.Value is not null && SecretKeys.Contains(k.Value) && value is not YamlMappingNode)
                        map.Children[key] = value is YamlSequenceNode ? new YamlSequenceNode(new YamlScalarNode(MaskText)) : new YamlScalarNode(MaskText);
                    else
                        MaskNode(value);
                }
                break;
            case YamlSequenceNode seq:
                foreach (var child in seq.Children) MaskNode(child);
                break;
        }
    }
}
