namespace Portal.Alerting.Receivers;

/// <summary>A notification template failed to parse or run; the notification is not sent (and not retried).</summary>
public sealed class NotificationTemplateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Expands notification templates (Go text/template syntax with Alertmanager's functions and the templates of
/// default.tmpl plus the configuration's <c>templates</c> files) against <see cref="TemplateData"/>.
/// Implementations are thread-safe.
/// </summary>
public interface INotificationTemplater
{
    /// <summary>Expands <paramref name="template"/> as text. Throws <see cref="NotificationTemplateException"/>.</summary>
    string Text(string template, TemplateData data);

    /// <summary>Expands <paramref name="template"/> with HTML escaping of inserted values (email bodies). Throws <see cref="NotificationTemplateException"/>.</summary>
    string Html(string template, TemplateData data);
}

/// <summary>
/// Everything a notifier needs besides its configuration. <see cref="HttpClients"/> gives the client of a notifier's
/// <c>http_config</c> (one per distinct http_config, see <see cref="NotifierHttpClients"/>). Immutable.
/// </summary>
public sealed record NotifierEnvironment(
    INotificationTemplater Templater,
    Func<Portal.Config.Prometheus.HttpClientConfig?, NotifierHttpClient> HttpClients,
    string ExternalUrl,
    TimeProvider Clock,
    string UserAgent = "Alertmanager/0.28.1");

/// <summary>Shared HTTP helpers for notifiers.</summary>
internal static class NotifyHttp
{
    /// <summary>Alertmanager's retry rule: 2xx succeed, 5xx (and listed codes) are retried, everything else fails for good.</summary>
    public static async Task<NotifyResult> CheckAsync(HttpResponseMessage resp, CancellationToken ct, params int[] retryCodes)
    {
        int code = (int)resp.StatusCode;
        if (code / 100 == 2) return NotifyResult.Ok;
        bool retry = code / 100 == 5 || Array.IndexOf(retryCodes, code) >= 0;
        var body = "";
        try
        {
            body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // the body is only detail
        }
        if (body.Length > 512) body = body[..512];
        var msg = $"unexpected status code {code}";
        if (body.Trim().Length > 0) msg += ": " + body.Trim();
        return NotifyResult.Failed(retry, msg);
    }

    /// <summary>
    /// POSTs <paramref name="json"/> with the client of <paramref name="httpConfig"/> (its credentials and headers added;
    /// <paramref name="bearer"/>, when given, takes the Authorization header first). Never throws for delivery problems:
    /// the failure says why and whether a retry may help, without the URL's secret parts.
    /// </summary>
    public static async Task<(HttpResponseMessage? Response, NotifyResult Failure)> PostJsonAsync(
        NotifierEnvironment env, Portal.Config.Prometheus.HttpClientConfig? httpConfig, string url, string json, TimeSpan timeout, CancellationToken ct, string? bearer = null)
    {
        NotifierHttpClient http;
        try
        {
            http = env.HttpClients(httpConfig);
        }
        catch (InvalidOperationException e)
        {
            return (null, NotifyResult.Failed(false, $"http_config: {e.Message}"));
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout > TimeSpan.Zero) cts.CancelAfter(timeout);
        using var req = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        req.Content.Headers.ContentType!.CharSet = null;
        req.Headers.TryAddWithoutValidation("User-Agent", env.UserAgent);
        if (bearer is not null) req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        try
        {
            http.Authorize(req);
        }
        catch (InvalidOperationException e)
        {
            return (null, NotifyResult.Failed(false, $"http_config: {e.Message}"));
        }
        try
        {
            var resp = await http.Client.SendAsync(req, cts.Token).ConfigureAwait(false);
            return (resp, default);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, NotifyResult.Failed(true, $"request to {SafeHttp.Redact(url)} timed out after {timeout.TotalSeconds}s"));
        }
        catch (ObjectDisposedException)
        {
            return (null, NotifyResult.Failed(true, $"post {SafeHttp.Redact(url)}: the configuration changed while sending"));
        }
        catch (ForbiddenDestinationException e)
        {
            return (null, NotifyResult.Failed(false, e.Message));
        }
        catch (HttpRequestException e)
        {
            bool forbidden = e.InnerException is ForbiddenDestinationException;
            return (null, NotifyResult.Failed(!forbidden, $"post {SafeHttp.Redact(url)}: {SafeHttp.Describe(e)}"));
        }
    }

    /// <summary>Reads a URL or secret from a file, trimmed, as Alertmanager's <c>*_file</c> options do.</summary>
    public static string ReadFile(string path) => File.ReadAllText(path).Trim();
}
