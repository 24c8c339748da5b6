using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
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
        var rows = await host.DbAsync(db => db.Set<DataProtectionKey>().AsNoTracking().Select(k => k.Xml!).ToListAsync());
        Assert.All(rows, xml =>
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

    private static IDataProtector CookieProtector(IDataProtectionProvider provider) =>
        provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", PortalClaims.Scheme, "v2");

    /// <summary>Data Protection over the rows of the test's database alone, as someone with a copy would set it up.</summary>
    private static ServiceProvider KeyRingFromDatabase(PortalAppFactory factory, X509Certificate2? certificate)
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
        var builder = services.AddDataProtection().SetApplicationName("PrivacyPortal").PersistKeysToDbContext<PortalDbContext>().DisableAutomaticKeyGeneration();
        if (certificate is not null)
        {
            builder.UnprotectKeysWithAnyCertificate(certificate);
        }

        return services.BuildServiceProvider();
    }
}
