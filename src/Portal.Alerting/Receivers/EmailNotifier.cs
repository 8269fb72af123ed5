using System.Globalization;
using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Portal.Config.Alertmanager;

namespace Portal.Alerting.Receivers;

/// <summary>
/// Sends Alertmanager's email through SMTP with MailKit: implicit TLS on port 465 or with force_implicit_tls,
/// otherwise STARTTLS when offered (required unless require_tls is false), authentication when a user name is
/// configured, headers (Subject defaults to default.tmpl's subject) and a multipart/alternative body with the
/// text part (when configured) and the HTML part (default.tmpl's HTML unless configured). Connection and
/// protocol failures are retried; permanent SMTP rejections are not. Thread-safe.
/// </summary>
public sealed class EmailNotifier(EmailConfig config, NotifierEnvironment env) : INotifier
{
    public string Integration => "email";
    public bool SendResolved => config.SendResolved;

    /// <summary>Builds the message for <paramref name="data"/> (templates expanded).</summary>
    public MimeMessage BuildMessage(TemplateData data)
    {
        var t = env.Templater;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in config.Headers ?? []) headers[CultureInfo.InvariantCulture.TextInfo.ToTitleCase(k.ToLowerInvariant())] = v;
        headers.TryAdd("Subject", "{{ template \"email.default.subject\" . }}");
        headers.TryAdd("To", config.To ?? "");
        headers.TryAdd("From", config.From ?? "");
        var msg = new MimeMessage();
        foreach (var (k, v) in headers)
        {
            var value = t.Text(v, data);
            switch (k)
            {
                case "To": msg.To.AddRange(InternetAddressList.Parse(value)); break;
                case "From": msg.From.AddRange(InternetAddressList.Parse(value)); break;
                case "Subject": msg.Subject = value; break;
                default: msg.Headers.Replace(k, value); break;
            }
        }
        msg.Date = env.Clock.GetUtcNow();
        msg.MessageId = $"{env.Clock.GetUtcNow().ToUnixTimeMilliseconds()}.{Random.Shared.NextInt64(long.MaxValue)}@{Dns.GetHostName()}";
        var alt = new MultipartAlternative();
        var text = config.Text is { Length: > 0 } tt ? t.Text(tt, data) : null;
        var html = t.Html(config.Html ?? "{{ template \"email.default.html\" . }}", data);
        if (text is not null) alt.Add(new TextPart("plain") { Text = text });
        if (html.Length > 0) alt.Add(new TextPart("html") { Text = html });
        msg.Body = alt;
        return msg;
    }

    public async Task<NotifyResult> NotifyAsync(NotificationContext ctx, IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        var data = TemplateData.Create(ctx.Receiver, ctx.GroupLabels, alerts, env.ExternalUrl, ctx.Now);
        MimeMessage msg;
        try
        {
            msg = BuildMessage(data);
        }
        catch (Exception e) when (e is NotificationTemplateException or ParseException)
        {
            return NotifyResult.Failed(false, e.Message);
        }
        var smarthost = config.Smarthost ?? "";
        int colon = smarthost.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(smarthost[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            return NotifyResult.Failed(false, $"invalid smarthost \"{smarthost}\"");
        var host = smarthost[..colon].Trim('[', ']');
        bool implicitTls = config.ForceImplicitTls ?? port == 465;
        bool requireTls = config.RequireTls ?? true;
        using var client = new SmtpClient { Timeout = 30_000, LocalDomain = string.IsNullOrEmpty(config.Hello) ? "localhost" : config.Hello };
        if (config.TlsConfig?.InsecureSkipVerify == true) client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        try
        {
            var options = implicitTls ? SecureSocketOptions.SslOnConnect : requireTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;
            try
            {
                await client.ConnectAsync(host, port, options, ct).ConfigureAwait(false);
            }
            catch (NotSupportedException)
            {
                return NotifyResult.Failed(true, $"'require_tls' is 'true' (default) but \"{smarthost}\" does not advertise the STARTTLS extension");
            }
            if (!string.IsNullOrEmpty(config.AuthUsername) && client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
            {
                var password = config.AuthPassword?.Value ?? (config.AuthPasswordFile is { } pf ? NotifyHttp.ReadFile(pf) : "");
                await client.AuthenticateAsync(new NetworkCredential(config.AuthUsername, password), ct).ConfigureAwait(false);
            }
            await client.SendAsync(msg, ct).ConfigureAwait(false);
            await client.DisconnectAsync(true, ct).ConfigureAwait(false);
            return NotifyResult.Ok;
        }
        catch (AuthenticationException e)
        {
            return NotifyResult.Failed(true, $"SMTP authentication failed: {e.Message}");
        }
        catch (SmtpCommandException e)
        {
            bool permanent = (int)e.StatusCode >= 500;
            return NotifyResult.Failed(!permanent, $"SMTP {(int)e.StatusCode}: {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or SslHandshakeException or MailKit.ServiceNotConnectedException)
        {
            return NotifyResult.Failed(true, $"sending email via {smarthost}: {e.Message}");
        }
    }
}
