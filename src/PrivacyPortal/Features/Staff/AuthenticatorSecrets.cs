using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// Staff authenticator keys and recovery codes, encrypted with Data Protection under a purpose of
/// their own, so the Identity tokens table holds no usable secret without the key ring (and so the
/// certificate).
/// </summary>
public sealed class AuthenticatorSecrets(IDataProtectionProvider protection)
{
    public const string Purpose = "PrivacyPortal.Staff.AuthenticatorSecrets";

    /// <summary>Identity's own names for where <see cref="UserStore{TUser}"/> keeps these secrets.</summary>
    public const string LoginProvider = "[AspNetUserStore]";

    public static readonly IReadOnlyList<string> Names = ["AuthenticatorKey", "RecoveryCodes"];

    /// <summary>Marks a protected value, so plain values left from before can be told apart and migrated once.</summary>
    public const string Prefix = "dp1:";

    private readonly IDataProtector protector = protection.CreateProtector(Purpose);

    public static bool IsSecret(string loginProvider, string name) => loginProvider == LoginProvider && Names.Contains(name);

    public static bool IsProtected(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public string Protect(string value) =>
        IsProtected(value) ? value : Prefix + Base64Url.EncodeToString(protector.Protect(Encoding.UTF8.GetBytes(value)));

    /// <summary>The plain secret; a value stored before protection is returned as it is until the start-up migration protects it.</summary>
    public string Unprotect(string value) =>
        IsProtected(value) ? Encoding.UTF8.GetString(protector.Unprotect(Base64Url.DecodeFromChars(value.AsSpan(Prefix.Length)))) : value;
}

/// <summary>Identity's EF user store, with the authenticator secrets protected on the way in and out.</summary>
internal sealed class ProtectedSecretsUserStore(PortalDbContext context, AuthenticatorSecrets secrets, IdentityErrorDescriber? describer = null)
    : UserStore<DataSubject, IdentityRole<Guid>, PortalDbContext, Guid>(context, describer)
{
    public override Task SetTokenAsync(DataSubject user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        base.SetTokenAsync(user, loginProvider, name,
            value is not null && AuthenticatorSecrets.IsSecret(loginProvider, name) ? secrets.Protect(value) : value, cancellationToken);

    public override async Task<string?> GetTokenAsync(DataSubject user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var value = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return value is not null && AuthenticatorSecrets.IsSecret(loginProvider, name) ? secrets.Unprotect(value) : value;
    }
}

/// <summary>At start, protects the authenticator secrets stored in plain text before; idempotent.</summary>
internal sealed class ProtectPlainAuthenticatorSecrets(AuthenticatorSecrets secrets) : IDatabaseSeeder
{
    public async Task SeedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var plain = await db.UserTokens
            .Where(t => t.LoginProvider == AuthenticatorSecrets.LoginProvider && AuthenticatorSecrets.Names.Contains(t.Name)
                && t.Value != null && !t.Value.StartsWith(AuthenticatorSecrets.Prefix))
            .ToListAsync(cancellationToken);
        foreach (var token in plain)
        {
            token.Value = secrets.Protect(token.Value!);
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
