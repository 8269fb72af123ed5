using System.Net;
using System.Net.Sockets;
using Portal.Config;

namespace Portal.Config.Tests;

public sealed class HostedNetworkTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("8.8.8.8", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("2001:4860:4860::8888", null)]
    public void ClassifiesAddresses(string address, string? reasonPart)
    {
        var reason = HostedNetwork.ForbiddenReason(IPAddress.Parse(address));
        if (reasonPart is null) Assert.Null(reason);
        else Assert.Contains(reasonPart, reason);
    }

    [Fact]
    public async Task ConnectionsToLoopbackAreRefusedBeforeAnyByteIsSent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new HttpClient(HostedNetwork.CreateHandler());

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://localhost:{port}/metrics"));
        Assert.Contains("refused to connect to localhost", e.Message);
        Assert.Contains("loopback", e.Message);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task AnOperatorAllowListLetsChosenAddressesThrough()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        });
        using var client = new HttpClient(HostedNetwork.CreateHandler(ip => IPAddress.IsLoopback(ip)));

        Assert.Equal("ok", await client.GetStringAsync($"http://127.0.0.1:{port}/"));
        await serve;
    }
}
