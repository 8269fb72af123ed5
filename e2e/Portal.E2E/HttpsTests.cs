using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>HTTPS from settings alone: a PEM certificate and key named in Kestrel:Endpoints.</summary>
public sealed class HttpsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task PortalServesHttpsWithAConfiguredPemCertificate()
    {
        var certDir = Path.Combine(Path.GetTempPath(), "portal-cert-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(certDir);
        try
        {
            var (certPath, keyPath) = WriteSelfSignedPem(certDir);
            await using var portal = await PortalProcess.StartAsync("https",
                $"--Kestrel:Endpoints:Https:Certificate:Path={certPath}",
                $"--Kestrel:Endpoints:Https:Certificate:KeyPath={keyPath}");

            Assert.StartsWith("https://", portal.BaseUrl);
            X509Certificate2? served = null;
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => { served = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.RawData); return true; },
            };
            using var client = new HttpClient(handler);
            var response = await client.GetAsync(portal.BaseUrl + "/-/healthy");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("CN=portal-e2e", served?.Subject);

            var page = await browser.NewPageAsync(ignoreHttpsErrors: true);
            await BrowserFixture.GotoInteractiveAsync(page, portal.BaseUrl + "/");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Portal", Exact = true, Level = 1 })).ToBeVisibleAsync();
        }
        finally
        {
            Directory.Delete(certDir, recursive: true);
        }
    }

    private static (string Cert, string Key) WriteSelfSignedPem(string dir)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=portal-e2e", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(dir, "cert.pem");
        var keyPath = Path.Combine(dir, "key.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
