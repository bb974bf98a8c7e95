using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// HTTPS with the operator's certificate, configured as docs/DEPLOYMENT.md says (Kestrel:Endpoints with a PEM
/// certificate and key), and the headers browsers get on Herald's pages over it.
/// </summary>
public sealed class HttpsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("herald-https").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder: harmless.
        }
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and herald.test, written as PEM files; returns it and the paths.</summary>
    private (X509Certificate2 Certificate, string CertPath, string KeyPath) SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=herald.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("herald.test");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        var certPath = Path.Combine(_data, "herald.crt");
        var keyPath = Path.Combine(_data, "herald.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificate, certPath, keyPath);
    }

    [Fact]
    public async Task HttpsEndpoint_WithACertificateFile_ServesTheApi_AndPagesCarryHstsAndSecurityHeaders()
    {
        var (certificate, certPath, keyPath) = SelfSignedCertificate();
        var httpPort = HeraldProcess.FreePort();
        var httpsPort = HeraldProcess.FreePort();
        await using var herald = await HeraldProcess.StartAsync(_data, new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{httpPort}",
            ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{httpsPort}",
            ["Kestrel__Endpoints__Https__Certificate__Path"] = certPath,
            ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = keyPath,
        }, port: httpPort);

        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
            {
                presented = cert is null ? null : new X509Certificate2(cert);
                return errors == SslPolicyErrors.RemoteCertificateChainErrors; // self-signed: only the chain is unknown
            },
        };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}") };

        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/api/v1/health")).StatusCode);
        Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);

        // HSTS is left out for localhost and loopback addresses (it would stick to every local port); a named host gets it.
        var docs = new HttpRequestMessage(HttpMethod.Get, "/docs");
        docs.Headers.Host = "herald.test";
        var page = await https.SendAsync(docs);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("max-age=31536000", page.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());

        // Plain HTTP gets no HSTS (browsers ignore it there).
        using var http = herald.CreateClient();
        var plain = new HttpRequestMessage(HttpMethod.Get, "/docs");
        plain.Headers.Host = "herald.test";
        Assert.False((await http.SendAsync(plain)).Headers.Contains("Strict-Transport-Security"));
    }
}
