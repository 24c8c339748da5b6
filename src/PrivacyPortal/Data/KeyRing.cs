using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace PrivacyPortal.Data;

/// <summary>
/// Where the X.509 certificate that encrypts the Data Protection key ring at rest comes from: a
/// PKCS#12 file with its password, or the thumbprint of a certificate in the machine's or the
/// user's "My" store.
/// </summary>
public sealed class CertificateSettings
{
    public string? Path { get; set; }

    public string? Password { get; set; }

    public string? Thumbprint { get; set; }

    public bool IsSet => !string.IsNullOrWhiteSpace(Path) || !string.IsNullOrWhiteSpace(Thumbprint);
}

/// <summary>
/// <c>DataProtection</c> settings. The key ring lives in the database (every instance shares it);
/// the certificate keeps a copy of the database from being the keys to every cookie, signing key
/// and authenticator secret.
/// </summary>
public sealed class KeyRingOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>The application name every instance shares, so they read each other's payloads.</summary>
    public const string ApplicationName = "PrivacyPortal";

    /// <summary>Encrypts new keys and decrypts all of them.</summary>
    public CertificateSettings Certificate { get; set; } = new();

    /// <summary>Certificates that only decrypt: the ones keys were encrypted with before a rotation.</summary>
    public IList<CertificateSettings> PreviousCertificates { get; } = [];

    /// <summary>Development only, when no certificate is set: where the generated throwaway one is kept, relative to the content root.</summary>
    public string DevelopmentCertificatePath { get; set; } = System.IO.Path.Combine("App_Data", "dataprotection-development.pfx");
}

/// <summary>The key ring's rows; the EF Core Data Protection store reads and writes them.</summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("DataProtectionKeys");
        builder.Property(k => k.FriendlyName).HasMaxLength(100).IsRequired();
        builder.Property(k => k.Xml).IsRequired();
    }
}

internal static class DataProtectionRegistration
{
    private const string DevelopmentCertificatePassword = "development-only";

    public static void AddPortalDataProtection(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(KeyRingOptions.SectionName).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var current = CurrentCertificate(options, builder.Environment);
        var previous = options.PreviousCertificates.Where(c => c.IsSet).Select(c => Load(c, "DataProtection:PreviousCertificates"));
        builder.Services.AddDataProtection()
            .SetApplicationName(KeyRingOptions.ApplicationName)
            .PersistKeysToDbContext<PortalDbContext>()
            .ProtectKeysWithCertificate(current)
            // Decryption finds certificates in the machine's store by default; on Linux that store
            // is empty, so the loaded certificates are named here.
            .UnprotectKeysWithAnyCertificate([current, .. previous]);
        builder.Services.AddScoped<IDatabaseSeeder, EncryptPlainKeys>();
    }

    private static X509Certificate2 CurrentCertificate(KeyRingOptions options, IWebHostEnvironment environment)
    {
        if (options.Certificate.IsSet)
        {
            return Load(options.Certificate, "DataProtection:Certificate");
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "The Data Protection key ring must be encrypted at rest: set DataProtection:Certificate:Path (a PKCS#12 file) "
                + "and DataProtection:Certificate:Password, or DataProtection:Certificate:Thumbprint (a certificate in the \"My\" store). "
                + "README, \"Production checklist\", shows how to create one.");
        }

        // Development: a throwaway certificate, kept so a restart keeps the sessions.
        var path = Path.Combine(environment.ContentRootPath, options.DevelopmentCertificatePath);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, CreateSelfSigned("CN=PrivacyPortal development key ring").Export(X509ContentType.Pkcs12, DevelopmentCertificatePassword));
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, DevelopmentCertificatePassword);
    }

    /// <summary>A self-signed RSA certificate for encrypting keys (Development and tests only).</summary>
    public static X509Certificate2 CreateSelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }

    private static X509Certificate2 Load(CertificateSettings settings, string name)
    {
        X509Certificate2 certificate;
        if (!string.IsNullOrWhiteSpace(settings.Path))
        {
            if (!File.Exists(settings.Path))
            {
                throw new InvalidOperationException($"{name}:Path '{settings.Path}' does not exist.");
            }

            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(settings.Path, settings.Password);
            }
            catch (CryptographicException e)
            {
                throw new InvalidOperationException($"{name}:Path '{settings.Path}' cannot be read as a PKCS#12 file with {name}:Password: {e.Message}", e);
            }
        }
        else
        {
            certificate = FromStore(settings.Thumbprint!)
                ?? throw new InvalidOperationException($"{name}:Thumbprint {settings.Thumbprint} is in neither the current user's nor the machine's \"My\" certificate store.");
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The certificate of {name} has no private key, so it could not decrypt the key ring.");
        }

        return certificate;
    }

    private static X509Certificate2? FromStore(string thumbprint)
    {
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint.Replace(" ", "", StringComparison.Ordinal), validOnly: false);
            if (found.Count > 0)
            {
                return found[0];
            }
        }

        return null;
    }
}

/// <summary>
/// Keys written before the key ring was encrypted hold their secret in plain XML; at start each such
/// secret is encrypted with the certificate in place, as Data Protection does for new keys, so the
/// rows never again show it. Running it again finds nothing to do.
/// </summary>
internal sealed class EncryptPlainKeys(IOptions<KeyManagementOptions> keyManagement, ILogger<EncryptPlainKeys> logger) : IDatabaseSeeder
{
    private static readonly XNamespace Ns = "http://schemas.asp.net/2015/03/dataProtection";

    public async Task SeedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var encryptor = keyManagement.Value.XmlEncryptor;
        if (encryptor is null)
        {
            return;
        }

        var rows = await db.DataProtectionKeys.Where(k => k.Xml!.Contains("requiresEncryption")).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            var key = XElement.Parse(row.Xml!);
            var plain = key.Descendants().Where(e => (bool?)e.Attribute(Ns + "requiresEncryption") == true).ToList();
            foreach (var secret in plain)
            {
                var encrypted = encryptor.Encrypt(new XElement(secret));
                secret.ReplaceWith(new XElement(Ns + "encryptedSecret",
                    new XAttribute("decryptorType", encrypted.DecryptorType.AssemblyQualifiedName!),
                    encrypted.EncryptedElement));
            }

            row.Xml = key.ToString(SaveOptions.DisableFormatting);
        }

        if (rows.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Encrypted {Count} Data Protection keys that were stored in plain XML", rows.Count);
        }
    }
}
