using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Codes, refresh tokens and revoked access tokens are OpenIddict's now (<c>OidcTokens</c>); our
/// own tables for them go. Codes live 60 seconds, so nothing of value is lost; refresh tokens
/// issued before the move stop working and the stores sign the person in again (there is no
/// production deployment yet).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120599_OidcTokensOnOpenIddict")]
public sealed class OidcTokensOnOpenIddict : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("OidcAuthorizationCodes");
        migrationBuilder.DropTable("OidcRefreshTokens");
        migrationBuilder.DropTable("OidcRevokedAccessTokens");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
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
        migrationBuilder.CreateIndex("IX_OidcAuthorizationCodes_CodeHash", "OidcAuthorizationCodes", "CodeHash", unique: true);
        migrationBuilder.CreateIndex("IX_OidcAuthorizationCodes_GrantId", "OidcAuthorizationCodes", "GrantId");
        migrationBuilder.CreateIndex("IX_OidcRefreshTokens_TokenHash", "OidcRefreshTokens", "TokenHash", unique: true);
        migrationBuilder.CreateIndex("IX_OidcRefreshTokens_GrantId", "OidcRefreshTokens", "GrantId");
        migrationBuilder.CreateIndex("IX_OidcRevokedAccessTokens_ExpiresAt", "OidcRevokedAccessTokens", "ExpiresAt");
    }
}
