using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// The OpenID Connect provider: signing keys, grants with their codes and refresh tokens, revoked
/// access tokens and the back-channel logout queue. Hand-written like the foundation migration;
/// OidcMigrationTests proves the migrated schema equals the model.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000600_Oidc")]
public sealed class Oidc : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "OidcSigningKeys",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                Algorithm = table.Column<string>(maxLength: 16, nullable: false),
                ProtectedKey = table.Column<string>(nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_OidcSigningKeys", x => x.Id));

        migrationBuilder.CreateTable(
            name: "OidcGrants",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ClientId = table.Column<string>(maxLength: 64, nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                SessionId = table.Column<Guid>(nullable: true),
                Scopes = table.Column<string>(maxLength: 500, nullable: false),
                AuthTime = table.Column<long>(nullable: false),
                AuthenticationMethod = table.Column<string>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
                RevokedAt = table.Column<long>(nullable: true),
                RevokedReason = table.Column<string>(maxLength: 64, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OidcGrants", x => x.Id);
                table.ForeignKey("FK_OidcGrants_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "OidcAuthorizationCodes",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                CodeHash = table.Column<string>(maxLength: 64, nullable: false),
                GrantId = table.Column<Guid>(nullable: false),
                ClientId = table.Column<string>(maxLength: 64, nullable: false),
                RedirectUri = table.Column<string>(maxLength: 2048, nullable: false),
                CodeChallenge = table.Column<string>(maxLength: 128, nullable: false),
                Nonce = table.Column<string>(maxLength: 512, nullable: true),
                CreatedAt = table.Column<long>(nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
                RedeemedAt = table.Column<long>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OidcAuthorizationCodes", x => x.Id);
                table.ForeignKey("FK_OidcAuthorizationCodes_OidcGrants_GrantId", x => x.GrantId, "OidcGrants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "OidcRefreshTokens",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                GrantId = table.Column<Guid>(nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
                ConsumedAt = table.Column<long>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OidcRefreshTokens", x => x.Id);
                table.ForeignKey("FK_OidcRefreshTokens_OidcGrants_GrantId", x => x.GrantId, "OidcGrants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "OidcRevokedAccessTokens",
            columns: table => new
            {
                Jti = table.Column<string>(maxLength: 64, nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_OidcRevokedAccessTokens", x => x.Jti));

        migrationBuilder.CreateTable(
            name: "OidcLogoutNotifications",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ClientId = table.Column<string>(maxLength: 64, nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                SessionId = table.Column<Guid>(nullable: false),
                Endpoint = table.Column<string>(maxLength: 2048, nullable: false),
                Status = table.Column<int>(nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
                NextAttemptAt = table.Column<long>(nullable: false),
                Attempts = table.Column<int>(nullable: false),
                DeliveredAt = table.Column<long>(nullable: true),
                LastError = table.Column<string>(maxLength: 2000, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_OidcLogoutNotifications", x => x.Id));

        migrationBuilder.CreateIndex("IX_OidcSigningKeys_Algorithm_CreatedAt", "OidcSigningKeys", ["Algorithm", "CreatedAt"]);
        migrationBuilder.CreateIndex("IX_OidcGrants_SessionId", "OidcGrants", "SessionId");
        migrationBuilder.CreateIndex("IX_OidcGrants_SubjectId", "OidcGrants", "SubjectId");
        migrationBuilder.CreateIndex("IX_OidcAuthorizationCodes_CodeHash", "OidcAuthorizationCodes", "CodeHash", unique: true);
        migrationBuilder.CreateIndex("IX_OidcAuthorizationCodes_GrantId", "OidcAuthorizationCodes", "GrantId");
        migrationBuilder.CreateIndex("IX_OidcRefreshTokens_TokenHash", "OidcRefreshTokens", "TokenHash", unique: true);
        migrationBuilder.CreateIndex("IX_OidcRefreshTokens_GrantId", "OidcRefreshTokens", "GrantId");
        migrationBuilder.CreateIndex("IX_OidcRevokedAccessTokens_ExpiresAt", "OidcRevokedAccessTokens", "ExpiresAt");
        migrationBuilder.CreateIndex("IX_OidcLogoutNotifications_Status_NextAttemptAt", "OidcLogoutNotifications", ["Status", "NextAttemptAt"]);
        migrationBuilder.CreateIndex("IX_OidcLogoutNotifications_SessionId_ClientId", "OidcLogoutNotifications", ["SessionId", "ClientId"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var table in new[]
        {
            "OidcLogoutNotifications", "OidcRevokedAccessTokens", "OidcRefreshTokens", "OidcAuthorizationCodes", "OidcGrants", "OidcSigningKeys",
        })
        {
            migrationBuilder.DropTable(table);
        }
    }
}
