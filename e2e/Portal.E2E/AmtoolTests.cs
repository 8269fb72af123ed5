namespace Portal.E2E;

/// <summary>
/// Debian's amtool (prometheus-alertmanager) against a portal process: alerts added and queried, silences created,
/// listed and expired through the tenant's Alertmanager API v2, with the tenant and token in the URL as amtool's
/// basic auth.
/// </summary>
public sealed class AmtoolTests
{
    public const string Amtool = "/usr/bin/amtool";
    private const string Tenant = "amtool-team";
    private const string Token = "amtool-alerts-token-0123456789abcdef";

    private static string ProvisioningFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-amtool-prov-" + Guid.NewGuid().ToString("N"));
        var tenantDir = Path.Combine(dir, "tenants", Tenant);
        Directory.CreateDirectory(tenantDir);
        File.WriteAllText(Path.Combine(tenantDir, "tenant.yml"), $"""
            name: Amtool team
            api_tokens:
              - name: amtool
                token: "{Token}"
                scopes: [alerts]
            """);
        File.WriteAllText(Path.Combine(tenantDir, "alertmanager.yml"), """
            route:
              receiver: team
              group_by: [alertname]
            receivers:
              - name: team
            """);
        return dir;
    }

    private static string FirstLine(string output) => output.Split('\n')[0].Trim();

    [NeedsProgramsFact(Amtool)]
    public async Task AmtoolManagesAlertsAndSilences()
    {
        var prov = ProvisioningFolder();
        try
        {
            await using var portal = await PortalProcess.StartAsync("http", $"--Provisioning:Path={prov}");
            var url = portal.BaseUrl.Replace("http://", $"http://{Tenant}:{Token}@", StringComparison.Ordinal) + "/alertmanager";
            async Task<string> Run(params string[] args)
            {
                var (code, output) = await PushTools.RunAsync(Amtool, "", [$"--alertmanager.url={url}", .. args]);
                Assert.True(code == 0, $"amtool {string.Join(' ', args)} exited with {code}:\n{output}\nportal:\n{portal.Log}");
                return output;
            }

            await Run("alert", "add", "alertname=AmtoolDisk", "instance=db-1", "severity=critical", "--annotation=summary=disk full");
            var alerts = await Run("alert", "query");
            Assert.Contains("AmtoolDisk", alerts);
            Assert.Contains("disk full", alerts);
            Assert.Contains("AmtoolDisk", await Run("alert", "query", "severity=critical"));
            Assert.DoesNotContain("AmtoolDisk", await Run("alert", "query", "severity=warning"));

            // amtool prints the id on stdout (the output also holds stderr, e.g. its version-difference warning).
            var id = FirstLine(await Run("silence", "add", "alertname=AmtoolDisk", "--comment=database maintenance", "--author=tester", "--duration=2h"));
            Assert.Matches("^[0-9a-f-]{36}$", id);
            var silences = await Run("silence", "query");
            Assert.Contains(id, silences);
            Assert.Contains("database maintenance", silences);
            Assert.Contains("tester", silences);
            Assert.Equal(id, FirstLine(await Run("silence", "query", "-q", "alertname=AmtoolDisk")));
            Assert.DoesNotContain("AmtoolDisk", await Run("alert", "query"));
            Assert.Contains("AmtoolDisk", await Run("alert", "query", "--silenced"));

            await Run("silence", "expire", id);
            Assert.DoesNotContain(id, await Run("silence", "query"));
            Assert.Contains(id, await Run("silence", "query", "--expired"));
            Assert.Contains("AmtoolDisk", await Run("alert", "query"));

            // A wrong token is refused.
            var bad = portal.BaseUrl.Replace("http://", $"http://{Tenant}:wrong-token-000000000000@", StringComparison.Ordinal) + "/alertmanager";
            var (code, _) = await PushTools.RunAsync(Amtool, "", $"--alertmanager.url={bad}", "silence", "query");
            Assert.NotEqual(0, code);
        }
        finally
        {
            Directory.Delete(prov, recursive: true);
        }
    }
}
