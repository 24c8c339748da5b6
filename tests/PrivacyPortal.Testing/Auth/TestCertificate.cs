using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PrivacyPortal.Testing.Auth;

/// <summary>
/// The throwaway certificate that encrypts the Data Protection key ring in tests: one per test run,
/// so a second instance or a restart on the same database reads the keys the first one wrote.
/// </summary>
public static class TestCertificate
{
    public const string Password = "test-only";

    private static readonly Lazy<string> File = new(() => Write("CN=PrivacyPortal test key ring"));

    /// <summary>The PKCS#12 file, for <c>DataProtection:Certificate:Path</c>.</summary>
    public static string Path => File.Value;

    public static X509Certificate2 Load() => X509CertificateLoader.LoadPkcs12FromFile(Path, Password);

    /// <summary>Another certificate, e.g. the next one of a rotation.</summary>
    public static string Write(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "portal-test-keyring-" + Guid.NewGuid().ToString("N") + ".pfx");
        System.IO.File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
