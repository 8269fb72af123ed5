using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Data;

namespace Portal.Web.Alerting;

/// <summary>Reads values out of a receiver's settings JSON (Alertmanager key names).</summary>
public static class ReceiverSettings
{
    /// <summary>The top-level string and boolean settings (booleans as "true"/"false"); an unreadable document gives none.</summary>
    public static Dictionary<string, string> Parse(string json)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Object(json) is not { } o) return d;
        foreach (var (k, v) in o)
            if (v is JsonValue jv)
            {
                if (jv.TryGetValue<string>(out var s)) d[k] = s;
                else if (jv.TryGetValue<bool>(out var b)) d[k] = b ? "true" : "false";
                else d[k] = jv.ToJsonString();
            }
        return d;
    }

    /// <summary>An email header from <c>headers</c> (names compared without case), or null.</summary>
    public static string? Header(string json, string name)
    {
        if (Object(json)?["headers"] is not JsonObject h) return null;
        foreach (var (k, v) in h)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase) && v is JsonValue jv && jv.TryGetValue<string>(out var s)) return s;
        return null;
    }

    internal static JsonObject? Object(string json)
    {
        try
        {
            return JsonNode.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// The editable fields of a team receiver, converted to and from its settings JSON. Settings the form does not show
/// (e.g. written through the API) are kept as they are. Mutable: bound to the editor's inputs.
/// </summary>
public sealed class ReceiverForm
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public ReceiverKind Kind { get; set; } = ReceiverKind.Webhook;
    public bool SendResolved { get; set; } = true;

    /// <summary>Webhook: where the JSON payload is posted.</summary>
    public string Url { get; set; } = "";

    /// <summary>Webhook: how requests authenticate, stored in the receiver's <c>http_config</c> (<c>basic_auth</c> or <c>authorization</c>).</summary>
    public WebhookAuth Auth { get; set; } = WebhookAuth.None;

    /// <summary>Webhook basic auth user name.</summary>
    public string AuthUsername { get; set; } = "";

    /// <summary>Webhook basic auth password or bearer token (a secret: viewers never see it).</summary>
    public string AuthSecret { get; set; } = "";

    /// <summary>Slack: the incoming-webhook URL.</summary>
    public string ApiUrl { get; set; } = "";
    public string Channel { get; set; } = "";

    /// <summary>Slack title / email Subject header template; empty = the default.</summary>
    public string Title { get; set; } = "";

    /// <summary>Slack text / email plain-text body template; empty = the default.</summary>
    public string Text { get; set; } = "";

    public string To { get; set; } = "";
    public string From { get; set; } = "";
    public string Smarthost { get; set; } = "";
    public bool RequireTls { get; set; } = true;

    private JsonObject _rest = [];

    /// <summary>The form of a stored receiver.</summary>
    public static ReceiverForm Of(TeamReceiver r)
    {
        var o = ReceiverSettings.Object(r.SettingsJson) ?? [];
        string S(string k) => o[k] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        bool B(string k, bool d) => o[k] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : d;
        var f = new ReceiverForm
        {
            Id = r.Id,
            Name = r.Name,
            Kind = r.Kind,
            Url = S("url"),
            ApiUrl = S("api_url"),
            Channel = S("channel"),
            To = S("to"),
            From = S("from"),
            Smarthost = S("smarthost"),
            RequireTls = B("require_tls", true),
            _rest = o,
        };
        f.SendResolved = B("send_resolved", r.Kind == ReceiverKind.Webhook);
        if (o["http_config"] is JsonObject http)
        {
            string Hs(JsonObject? parent, string k) => parent?[k] is JsonValue v && v.TryGetValue<string>(out var x) ? x : "";
            if (http["basic_auth"] is JsonObject ba)
            {
                f.Auth = WebhookAuth.Basic;
                f.AuthUsername = Hs(ba, "username");
                f.AuthSecret = Hs(ba, "password");
            }
            else if (http["authorization"] is JsonObject au && Hs(au, "type") is "" or "Bearer")
            {
                f.Auth = WebhookAuth.Bearer;
                f.AuthSecret = Hs(au, "credentials");
            }
            else if (Hs(http, "bearer_token") is { Length: > 0 } bt)
            {
                f.Auth = WebhookAuth.Bearer;
                f.AuthSecret = bt;
            }
        }
        f.Title = r.Kind == ReceiverKind.Email ? ReceiverSettings.Header(r.SettingsJson, "Subject") ?? "" : S("title");
        f.Text = S("text");
        return f;
    }

    /// <summary>A copy to edit without touching this one.</summary>
    public ReceiverForm Clone()
    {
        var c = (ReceiverForm)MemberwiseClone();
        c._rest = (JsonObject)_rest.DeepClone();
        return c;
    }

    /// <summary>What is missing or malformed, each message naming its field; empty when the form can be saved.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (TeamReceiverService.CheckReceiverName(Name.Trim()) is { } n) errors.Add("Name: " + n);
        switch (Kind)
        {
            case ReceiverKind.Webhook:
                CheckUrl(errors, "URL", Url);
                if (Auth == WebhookAuth.Basic && string.IsNullOrWhiteSpace(AuthUsername)) errors.Add("User name: basic auth needs a user name (or choose no authentication)");
                if (Auth == WebhookAuth.Bearer && string.IsNullOrWhiteSpace(AuthSecret)) errors.Add("Token: give the bearer token the webhook expects (or choose no authentication)");
                break;
            case ReceiverKind.Slack:
                CheckUrl(errors, "Slack webhook URL", ApiUrl);
                break;
            case ReceiverKind.Email:
                if (string.IsNullOrWhiteSpace(To) || !To.Contains('@')) errors.Add("To: give at least one email address, e.g. oncall@example.com");
                if (!string.IsNullOrWhiteSpace(From) && !From.Contains('@')) errors.Add("From: not an email address");
                if (!string.IsNullOrWhiteSpace(Smarthost) && !Smarthost.Trim().Contains(':')) errors.Add("SMTP server: write host:port, e.g. smtp.example.com:587");
                break;
        }
        return errors;
    }

    private static void CheckUrl(List<string> errors, string field, string v)
    {
        if (!Uri.TryCreate(v.Trim(), UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            errors.Add($"{field}: give an http:// or https:// URL");
    }

    /// <summary>
    /// Writes <see cref="Auth"/> into <c>http_config</c>: basic_auth or authorization (Bearer), replacing whichever the
    /// settings had (a legacy bearer_token included) and keeping the http_config's other keys.
    /// </summary>
    private void SetAuth(JsonObject o)
    {
        var existing = o["http_config"] as JsonObject;
        var http = existing ?? [];
        http.Remove("basic_auth");
        http.Remove("authorization");
        http.Remove("bearer_token");
        switch (Auth)
        {
            case WebhookAuth.Basic:
                var ba = new JsonObject { ["username"] = AuthUsername.Trim() };
                if (AuthSecret.Length > 0) ba["password"] = AuthSecret;
                http["basic_auth"] = ba;
                break;
            case WebhookAuth.Bearer:
                http["authorization"] = new JsonObject { ["type"] = "Bearer", ["credentials"] = AuthSecret.Trim() };
                break;
        }
        if (http.Count == 0) o.Remove("http_config");
        else if (existing is null) o["http_config"] = http;
    }

    /// <summary>The settings JSON: the form's fields over the settings it was loaded with.</summary>
    public string ToJson()
    {
        var o = (JsonObject)_rest.DeepClone();
        void Set(string k, string v)
        {
            if (string.IsNullOrWhiteSpace(v)) o.Remove(k);
            else o[k] = v.Trim();
        }
        o["send_resolved"] = SendResolved;
        switch (Kind)
        {
            case ReceiverKind.Webhook:
                Set("url", Url);
                SetAuth(o);
                break;
            case ReceiverKind.Slack:
                Set("api_url", ApiUrl);
                Set("channel", Channel);
                Set("title", Title);
                Set("text", Text);
                break;
            case ReceiverKind.Email:
                Set("to", To);
                Set("from", From);
                Set("smarthost", Smarthost);
                o["require_tls"] = RequireTls;
                Set("text", Text);
                var existing = o["headers"] as JsonObject;
                var headers = existing ?? [];
                foreach (var k in headers.Select(h => h.Key).Where(k => string.Equals(k, "Subject", StringComparison.OrdinalIgnoreCase)).ToList()) headers.Remove(k);
                if (!string.IsNullOrWhiteSpace(Title)) headers["Subject"] = Title.Trim();
                if (headers.Count == 0) o.Remove("headers");
                else if (existing is null) o["headers"] = headers;
                break;
        }
        return o.ToJsonString();
    }
}

/// <summary>How a team's webhook receiver authenticates its requests.</summary>
public enum WebhookAuth
{
    None,
    Basic,
    Bearer,
}
