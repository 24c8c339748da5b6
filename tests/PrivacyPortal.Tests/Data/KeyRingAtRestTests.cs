using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Data;

/// <summary>
/// Whoever holds a copy of the database (the SQLite file, the PostgreSQL rows) but not the
/// certificate cannot read a session cookie, an OIDC signing key or an authenticator secret.
/// </summary>
public sealed class KeyRingAtRestTests
{
    [Fact]
    public async Task A_copy_of_the_database_without_the_certificate_unprotects_no_cookie_signing_key_or_totp_secret()
    {
        using var host = new PortalHost();
        using var staff = await host.StaffAsync(PortalHost.Support);
        using var kari = await host.SignInAsync(PortalHost.Kari);
        using (await kari.Http.GetAsync("/.well-known/jwks.json"))
        {
        }

        var cookie = kari.GetCookie(PortalClaims.CookieName)!;
        var signingKey = await host.DbAsync(db => db.Set<OidcSigningKey>().AsNoTracking().Select(k => k.ProtectedKey).FirstAsync());
        var supportId = await host.UserIdAsync(PortalHost.Support);
        var totp = await host.DbAsync(db => db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == supportId && t.Name == "AuthenticatorKey").Select(t => t.Value!).SingleAsync());
        Assert.StartsWith(AuthenticatorSecrets.Prefix, totp, StringComparison.Ordinal);
        Assert.DoesNotContain(await host.AuthenticatorKeyAsync(PortalHost.Support), totp, StringComparison.Ordinal);
        Assert.All(await KeyRowsAsync(host.Factory), xml =>
        {
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        });

        using (var copy = KeyRingFromDatabase(host.Factory, certificate: null))
        {
            var provider = copy.GetRequiredService<IDataProtectionProvider>();
            Assert.ThrowsAny<CryptographicException>(() => CookieProtector(provider).Unprotect(WebEncoders.Base64UrlDecode(cookie)));
            Assert.ThrowsAny<CryptographicException>(() => provider.CreateProtector("PrivacyPortal.Oidc.SigningKeys").Unprotect(Convert.FromBase64String(signingKey)));
            Assert.ThrowsAny<CryptographicException>(() => new AuthenticatorSecrets(provider).Unprotect(totp));
        }

        using (var withCertificate = KeyRingFromDatabase(host.Factory, TestCertificate.Load()))
        {
            var provider = withCertificate.GetRequiredService<IDataProtectionProvider>();
            Assert.NotEmpty(CookieProtector(provider).Unprotect(WebEncoders.Base64UrlDecode(cookie)));
            Assert.NotEmpty(provider.CreateProtector("PrivacyPortal.Oidc.SigningKeys").Unprotect(Convert.FromBase64String(signingKey)));
            Assert.Equal(await host.AuthenticatorKeyAsync(PortalHost.Support), new AuthenticatorSecrets(provider).Unprotect(totp));
        }
    }

    [Fact]
    public void Outside_development_the_portal_does_not_start_without_a_certificate()
    {
        using var factory = new PortalAppFactory().WithEnvironment("Production")
            .With("DataProtection:Certificate:Path", null).With("DataProtection:Certificate:Password", null);
        var error = Assert.ThrowsAny<Exception>(() => factory.Start());
        Assert.Contains("DataProtection:Certificate:Path", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_stored_in_plain_before_is_encrypted_at_the_next_start_and_still_opens_what_it_protected()
    {
        using var first = new PortalAppFactory().Start();
        byte[] protectedBefore;
        using (var before = KeyRingFromDatabase(first, certificate: null, generateKeys: true))
        {
            // The key ring as it was before the certificate: a key written in plain XML.
            var now = DateTimeOffset.UtcNow;
            before.GetRequiredService<IKeyManager>().CreateNewKey(now.AddMinutes(-1), now.AddDays(90));
            protectedBefore = before.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect([1, 2, 3]);
        }

        Assert.Contains(await KeyRowsAsync(first), k => k.Contains("<value>", StringComparison.Ordinal));

        using var restarted = new PortalAppFactory().SharingDatabaseWith(first).Start();
        Assert.All(await KeyRowsAsync(first), k => Assert.DoesNotContain("<value>", k, StringComparison.Ordinal));
        Assert.Equal([1, 2, 3], restarted.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedBefore));
    }

    private static async Task<List<string>> KeyRowsAsync(PortalAppFactory factory)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<DataProtectionKey>().AsNoTracking().Select(k => k.Xml!).ToListAsync();
    }

    private static IDataProtector CookieProtector(IDataProtectionProvider provider) =>
        provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", PortalClaims.Scheme, "v2");

    /// <summary>Data Protection over the rows of the test's database alone, as someone with a copy would set it up.</summary>
    private static ServiceProvider KeyRingFromDatabase(PortalAppFactory factory, X509Certificate2? certificate, bool generateKeys = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<PortalDbContext>(db =>
        {
            if (factory.UsesPostgres)
            {
                db.UseNpgsql(factory.Postgres!.ConnectionString);
            }
            else
            {
                db.UseSqlite($"Data Source={factory.DatabasePath}");
            }
        });
        var builder = services.AddDataProtection().SetApplicationName("PrivacyPortal").PersistKeysToDbContext<PortalDbContext>();
        if (!generateKeys)
        {
            builder.DisableAutomaticKeyGeneration();
        }
        if (certificate is not null)
        {
            builder.UnprotectKeysWithAnyCertificate(certificate);
        }

        return services.BuildServiceProvider();
    }
}
