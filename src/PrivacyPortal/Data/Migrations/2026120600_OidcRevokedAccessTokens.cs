using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Client-credentials access tokens get no row in <c>OidcTokens</c> any more, so the revocation
/// list of their <c>jti</c> comes back (the table 2026120599 dropped, with the same shape).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120600_OidcRevokedAccessTokens")]
public sealed class OidcRevokedAccessTokens : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "OidcRevokedAccessTokens",
            columns: table => new
            {
                Jti = table.Column<string>(maxLength: 64, nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_OidcRevokedAccessTokens", x => x.Jti));
        migrationBuilder.CreateIndex("IX_OidcRevokedAccessTokens_ExpiresAt", "OidcRevokedAccessTokens", "ExpiresAt");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("OidcRevokedAccessTokens");
    }
}
