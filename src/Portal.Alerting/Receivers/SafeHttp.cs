using System.Net;
using System.Net.Sockets;

namespace Portal.Alerting.Receivers;

/// <summary>Refused to connect to a destination the hosted-mode rules forbid.</summary>
public sealed class ForbiddenDestinationException(string message) : HttpRequestException(message);

/// <summary>
/// Hosted-mode safety for notifications (<see cref="NotifierHttpClients"/> builds the clients). In hosted mode connections go through Portal's hosted-mode connect rule
/// (<see cref="Portal.Config.HostedNetwork"/>: loopback, link-local and cloud metadata, private, carrier-grade NAT,
/// unspecified and multicast destinations refused on the resolved address at connect time, unless the operator
/// allows them); a refusal surfaces as <see cref="ForbiddenDestinationException"/> so it is reported and not
/// retried. Thread-safe.
/// </summary>
public static class SafeHttp
{
    /// <summary><paramref name="connect"/> (hosted mode's rule) with its refusals turned into <see cref="ForbiddenDestinationException"/>.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Refusing(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect) =>
        async (ctx, ct) =>
        {
            try
            {
                return await connect(ctx, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new ForbiddenDestinationException(e.Message);
            }
        };

    /// <summary>True (with the reason) when hosted mode refuses <paramref name="a"/>.</summary>
    public static bool IsForbidden(IPAddress a, out string reason)
    {
        reason = Portal.Config.HostedNetwork.ForbiddenReason(a) ?? "";
        return reason.Length > 0;
    }

    /// <summary>Removes credentials, path and query from a URL for messages: secrets never appear in errors.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}{(u.IsDefaultPort ? "" : ":" + u.Port)}/<redacted>" : "<redacted>";

    /// <summary>A message for an HTTP failure without the URL (which may hold a secret).</summary>
    public static string Describe(Exception e)
    {
        var msg = e is ForbiddenDestinationException ? e.Message : e.InnerException is ForbiddenDestinationException f ? f.Message : e.Message;
        if (e is HttpRequestException { InnerException: SocketException se }) msg = $"connection failed: {se.SocketErrorCode}";
        if (e is HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException ae })
            msg = $"TLS handshake failed: {ae.Message} (check tls_config: ca, server_name, insecure_skip_verify)";
        return msg;
    }
}
