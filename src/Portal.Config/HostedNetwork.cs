using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Portal.Config;

/// <summary>
/// Hosted mode's rule for outbound connections made on a tenant's behalf (scrapes, webhooks,
/// remote write): only public addresses. Checked on the addresses a name resolves to at connect
/// time, and the connection goes to exactly those addresses, so a name that later resolves
/// elsewhere (DNS rebinding) cannot slip through. Thread-safe.
/// </summary>
public static class HostedNetwork
{
    /// <summary>Why <paramref name="ip"/> is not a public address, or null when it is.</summary>
    public static string? ForbiddenReason(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip)) return "the server itself (a loopback address)";
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return "an unspecified address";
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            if (b[0] == 10 || b[0] == 172 && b[1] >= 16 && b[1] <= 31 || b[0] == 192 && b[1] == 168) return "a private network address";
            if (b[0] == 169 && b[1] == 254) return "a link-local address (cloud metadata services live here)";
            if (b[0] == 100 && b[1] >= 64 && b[1] <= 127) return "a carrier-grade NAT address";
            if (b[0] == 0) return "an unspecified address";
            if (b[0] >= 224) return "a multicast or reserved address";
            return null;
        }
        if (ip.IsIPv6LinkLocal) return "a link-local address";
        if (ip.IsIPv6UniqueLocal || ip.IsIPv6SiteLocal) return "a private network address";
        if (ip.IsIPv6Multicast) return "a multicast address";
        return null;
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host, refuses when any of its
    /// addresses is not public (unless <paramref name="allow"/> says the operator allows it), and then
    /// connects to those same addresses. The refusal is an <see cref="HttpRequestException"/> naming the
    /// host, the address and the reason.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<IPAddress, bool>? allow = null) =>
        new Rule(allow).ConnectAsync;

    /// <summary>
    /// Applies the rule of <paramref name="connect"/> to <paramref name="host"/> without connecting, for a destination
    /// another party connects to (a proxy's target): the operator's allowed addresses count when the callback was made
    /// by <see cref="ConnectCallback"/>; any other callback gets the strict rule. Throws the same
    /// <see cref="HttpRequestException"/> the callback would.
    /// </summary>
    public static async Task CheckDestinationAsync(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect, string host, CancellationToken ct)
    {
        var rule = connect.Target as Rule ?? new Rule(null);
        await rule.ResolveAsync(host, ct).ConfigureAwait(false);
    }

    /// <summary>The rule with the operator's exceptions.</summary>
    private sealed class Rule(Func<IPAddress, bool>? allow)
    {
        public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
        {
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
            if (addresses.Length == 0) throw new HttpRequestException($"{host} does not resolve to any address");
            foreach (var address in addresses)
            {
                if (ForbiddenReason(address) is { } reason && !(allow?.Invoke(address) ?? false))
                    throw new HttpRequestException(
                        $"refused to connect to {host} ({address}): it is {reason}; in hosted mode only public addresses can be reached — ask the operator to allow it if it must");
            }
            return addresses;
        }

        public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
        {
            var addresses = await ResolveAsync(context.DnsEndPoint.Host, ct).ConfigureAwait(false);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>An HTTP handler for outbound requests in hosted mode (redirects are checked too: each hop connects through the callback).</summary>
    public static SocketsHttpHandler CreateHandler(Func<IPAddress, bool>? allow = null) => new()
    {
        ConnectCallback = ConnectCallback(allow),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };
}
