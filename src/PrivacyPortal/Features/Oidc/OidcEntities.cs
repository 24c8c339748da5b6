using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenIddict.EntityFrameworkCore.Models;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Oidc;

/// <summary>A token signing key; the private part is encrypted with ASP.NET Core Data Protection.</summary>
public sealed class OidcSigningKey
{
    /// <summary>The <c>kid</c> every token names.</summary>
    public string Id { get; set; } = "";

    /// <summary><c>RS256</c> (ID tokens, logout tokens) or <c>ES256</c> (access tokens).</summary>
    public string Algorithm { get; set; } = "";

    /// <summary>The private key as PKCS#8, protected by Data Protection (base64 of the protected bytes).</summary>
    public string ProtectedKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// What one sign-in of a person at a store (or one refresh-token family) allows. Revoking it
/// ends the family and every access token the portal's own endpoints see from it.
/// </summary>
public sealed class OidcGrant
{
    public Guid Id { get; set; }

    public string ClientId { get; set; } = "";

    public Guid SubjectId { get; set; }

    /// <summary>The portal session the person signed in with (the <c>sid</c> claim), for back-channel logout.</summary>
    public Guid? SessionId { get; set; }

    public string Scopes { get; set; } = "";

    public DateTimeOffset AuthTime { get; set; }

    /// <summary>The portal session's method (<c>magic-link</c> or <c>code</c>), turned into <c>amr</c>.</summary>
    public string AuthenticationMethod { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>No refresh token of the family lives past this.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Why it was revoked (<c>code-reuse</c>, <c>refresh-reuse</c>, <c>revocation</c>, <c>logout</c>), for the audit trail.</summary>
    public string? RevokedReason { get; set; }
}

/// <summary>
/// A client-credentials access token revoked before its expiry (RFC 7009). Those tokens have no row
/// in <c>OidcTokens</c> (the signed JWT is all a store needs), so revoking one puts its <c>jti</c>
/// here until it would have expired anyway.
/// </summary>
public sealed class OidcRevokedAccessToken
{
    public string Jti { get; set; } = "";

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The revocation list of client-credentials access tokens, which have no token row to revoke.</summary>
internal static class RevokedAccessTokens
{
    private static readonly PerModelQuery<Func<PortalDbContext, string, CancellationToken, Task<bool>>> Listed = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, string jti, CancellationToken _) => db.Set<OidcRevokedAccessToken>().Any(t => t.Jti == jti)));

    public static Task<bool> IsListedAsync(PortalDbContext db, string jti, CancellationToken cancellationToken) =>
        Listed.For(db)(db, jti, cancellationToken);
}

public enum LogoutNotificationStatus
{
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}

/// <summary>
/// A back-channel logout a store must receive, written in the same transaction that ends the
/// portal session and delivered with retries, so a store that is down still hears of it later.
/// </summary>
public sealed class OidcLogoutNotification
{
    public Guid Id { get; set; }

    public string ClientId { get; set; } = "";

    /// <summary>No foreign key: the person may be erased before the store has heard.</summary>
    public Guid SubjectId { get; set; }

    public Guid SessionId { get; set; }

    public string Endpoint { get; set; } = "";

    public LogoutNotificationStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public string? LastError { get; set; }
}

internal sealed class OidcSigningKeyConfiguration : IEntityTypeConfiguration<OidcSigningKey>
{
    public void Configure(EntityTypeBuilder<OidcSigningKey> builder)
    {
        builder.ToTable("OidcSigningKeys");
        builder.Property(k => k.Id).HasMaxLength(64);
        builder.Property(k => k.Algorithm).HasMaxLength(16);
        builder.HasIndex(k => new { k.Algorithm, k.CreatedAt });
    }
}

internal sealed class OidcGrantConfiguration : IEntityTypeConfiguration<OidcGrant>
{
    public void Configure(EntityTypeBuilder<OidcGrant> builder)
    {
        builder.ToTable("OidcGrants");
        builder.Property(g => g.ClientId).HasMaxLength(64);
        builder.Property(g => g.Scopes).HasMaxLength(500);
        builder.Property(g => g.AuthenticationMethod).HasMaxLength(32);
        builder.Property(g => g.RevokedReason).HasMaxLength(64);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(g => g.SubjectId).OnDelete(DeleteBehavior.Cascade);
        // back-channel logout finds the stores of a session.
        builder.HasIndex(g => g.SessionId);
        builder.HasIndex(g => g.SubjectId);
    }
}

internal sealed class OidcRevokedAccessTokenConfiguration : IEntityTypeConfiguration<OidcRevokedAccessToken>
{
    public void Configure(EntityTypeBuilder<OidcRevokedAccessToken> builder)
    {
        builder.ToTable("OidcRevokedAccessTokens");
        builder.HasKey(t => t.Jti);
        builder.Property(t => t.Jti).HasMaxLength(64);
        builder.HasIndex(t => t.ExpiresAt);
    }
}

internal sealed class OidcLogoutNotificationConfiguration : IEntityTypeConfiguration<OidcLogoutNotification>
{
    public void Configure(EntityTypeBuilder<OidcLogoutNotification> builder)
    {
        builder.ToTable("OidcLogoutNotifications");
        builder.Property(n => n.ClientId).HasMaxLength(64);
        builder.Property(n => n.Endpoint).HasMaxLength(2048);
        builder.Property(n => n.LastError).HasMaxLength(2000);
        builder.HasIndex(n => new { n.Status, n.NextAttemptAt });
        // one notification per store and session, however often sign-out is pressed.
        builder.HasIndex(n => new { n.SessionId, n.ClientId }).IsUnique();
    }
}

/// <summary>OpenIddict's stores live in the portal's database under the provider's table prefix.</summary>
internal sealed class OidcApplicationConfiguration : IEntityTypeConfiguration<OpenIddictEntityFrameworkCoreApplication<Guid>>
{
    public void Configure(EntityTypeBuilder<OpenIddictEntityFrameworkCoreApplication<Guid>> builder) => builder.ToTable("OidcApplications");
}

internal sealed class OidcAuthorizationConfiguration : IEntityTypeConfiguration<OpenIddictEntityFrameworkCoreAuthorization<Guid>>
{
    public void Configure(EntityTypeBuilder<OpenIddictEntityFrameworkCoreAuthorization<Guid>> builder) => builder.ToTable("OidcAuthorizations");
}

internal sealed class OidcScopeConfiguration : IEntityTypeConfiguration<OpenIddictEntityFrameworkCoreScope<Guid>>
{
    public void Configure(EntityTypeBuilder<OpenIddictEntityFrameworkCoreScope<Guid>> builder) => builder.ToTable("OidcScopes");
}

internal sealed class OidcTokenConfiguration : IEntityTypeConfiguration<OpenIddictEntityFrameworkCoreToken<Guid>>
{
    public void Configure(EntityTypeBuilder<OpenIddictEntityFrameworkCoreToken<Guid>> builder) => builder.ToTable("OidcTokens");
}
