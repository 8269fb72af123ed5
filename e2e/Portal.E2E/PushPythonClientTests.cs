namespace Portal.E2E;

/// <summary>The real Python client library (prometheus_client) against a portal's per-tenant Pushgateway with basic auth.</summary>
public sealed class PushPythonClientTests
{
    private const string Script = """
        import sys
        from prometheus_client import CollectorRegistry, Gauge, Counter
        from prometheus_client.exposition import push_to_gateway, pushadd_to_gateway, delete_from_gateway, basic_auth_handler

        url, user, password, step = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

        def auth(url, method, timeout, headers, data):
            return basic_auth_handler(url, method, timeout, headers, data, user, password)

        def registry(name, value):
            r = CollectorRegistry()
            g = Gauge(name, 'Set by the python client.', registry=r)
            g.set(value)
            return r

        if step == "push":
            r = registry('batch_last_success_unixtime', 1700000000)
            c = Counter('batch_records', 'Records processed.', registry=r)
            c.inc(42)
            push_to_gateway(url, job='py_batch', grouping_key={'instance': 'runner/1'}, registry=r, handler=auth)
        elif step == "pushadd":
            pushadd_to_gateway(url, job='py_batch', grouping_key={'instance': 'runner/1'}, registry=registry('batch_duration_seconds', 2.5), handler=auth)
        elif step == "conflict":
            r = CollectorRegistry()
            Gauge('batch_records_total', 'Same name as the counter, another type.', registry=r).set(1)
            push_to_gateway(url, job='other', registry=r, handler=auth)
        elif step == "delete":
            delete_from_gateway(url, job='py_batch', grouping_key={'instance': 'runner/1'}, handler=auth)
        print("ok")
        """;

    private static Task<(int Code, string Output)> Step(PortalProcess portal, string step, string password = PushTools.Token) =>
        PushTools.RunAsync("/usr/bin/python3", Script, "-", portal.BaseUrl, PushTools.Tenant, password, step);

    [NeedsPythonClientFact]
    public async Task PushPushAddAndDeleteWithBasicAuth()
    {
        var prov = PushTools.ProvisioningFolder();
        try
        {
            await using var portal = await PortalProcess.StartAsync("http", $"--Provisioning:Path={prov}");
            using var c = PushTools.Client(portal.BaseUrl);

            var (code, output) = await Step(portal, "push");
            Assert.True(code == 0, output + "\n" + portal.Log);
            (code, output) = await Step(portal, "pushadd");
            Assert.True(code == 0, output);

            var list = System.Text.Json.JsonDocument.Parse(await c.GetStringAsync("/api/v1/metrics")).RootElement.GetProperty("data");
            var group = list[0];
            Assert.Equal("runner/1", group.GetProperty("labels").GetProperty("instance").GetString());
            Assert.Equal("py_batch", group.GetProperty("labels").GetProperty("job").GetString());
            Assert.Equal("COUNTER", group.GetProperty("batch_records_total").GetProperty("type").GetString());
            Assert.Equal("GAUGE", group.GetProperty("batch_duration_seconds").GetProperty("type").GetString());
            Assert.True(group.TryGetProperty("batch_last_success_unixtime", out _), "pushadd must keep the other metrics");

            (code, output) = await Step(portal, "conflict");
            Assert.NotEqual(0, code);
            Assert.Contains("400", output);

            (code, output) = await Step(portal, "push", "wrong-token-0123456789abcdefgh");
            Assert.NotEqual(0, code);
            Assert.Contains("401", output);

            (code, output) = await Step(portal, "delete");
            Assert.True(code == 0, output);
            list = System.Text.Json.JsonDocument.Parse(await c.GetStringAsync("/api/v1/metrics")).RootElement.GetProperty("data");
            Assert.DoesNotContain(list.EnumerateArray(), g => g.GetProperty("labels").GetProperty("job").GetString() == "py_batch");
        }
        finally
        {
            Directory.Delete(prov, recursive: true);
        }
    }
}
