using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// OpenIddict's EF Core stores (applications, authorizations, scopes, tokens) under the provider's
/// table prefix. Hand-written and provider-neutral like the others: column types come from the CLR
/// types (a DateTime is TEXT on SQLite and timestamptz on PostgreSQL); lengths are OpenIddict 7.9's.
/// Adding tables only, so an existing database is carried forward as it is.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120598_OpenIddictStores")]
public sealed class OpenIddictStores : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "OidcApplications",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ApplicationType = table.Column<string>(maxLength: 50, nullable: true),
                ClientId = table.Column<string>(maxLength: 100, nullable: true),
                ClientSecret = table.Column<string>(nullable: true),
                ClientType = table.Column<string>(maxLength: 50, nullable: true),
                ConcurrencyToken = table.Column<string>(maxLength: 50, nullable: true),
                ConsentType = table.Column<string>(maxLength: 50, nullable: true),
                DisplayName = table.Column<string>(nullable: true),
                DisplayNames = table.Column<string>(nullable: true),
                JsonWebKeySet = table.Column<string>(nullable: true),
                Permissions = table.Column<string>(nullable: true),
                PostLogoutRedirectUris = table.Column<string>(nullable: true),
                Properties = table.Column<string>(nullable: true),
                RedirectUris = table.Column<string>(nullable: true),
                Requirements = table.Column<string>(nullable: true),
                Settings = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_OidcApplications", x => x.Id));

        migrationBuilder.CreateTable(
            name: "OidcScopes",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ConcurrencyToken = table.Column<string>(maxLength: 50, nullable: true),
                Description = table.Column<string>(nullable: true),
                Descriptions = table.Column<string>(nullable: true),
                DisplayName = table.Column<string>(nullable: true),
                DisplayNames = table.Column<string>(nullable: true),
                Name = table.Column<string>(maxLength: 200, nullable: true),
                Properties = table.Column<string>(nullable: true),
                Resources = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_OidcScopes", x => x.Id));

        migrationBuilder.CreateTable(
            name: "OidcAuthorizations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ApplicationId = table.Column<Guid>(nullable: true),
                ConcurrencyToken = table.Column<string>(maxLength: 50, nullable: true),
                CreationDate = table.Column<DateTime>(nullable: true),
                Properties = table.Column<string>(nullable: true),
                Scopes = table.Column<string>(nullable: true),
                Status = table.Column<string>(maxLength: 50, nullable: true),
                Subject = table.Column<string>(maxLength: 400, nullable: true),
                Type = table.Column<string>(maxLength: 50, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OidcAuthorizations", x => x.Id);
                table.ForeignKey("FK_OidcAuthorizations_OidcApplications_ApplicationId", x => x.ApplicationId, "OidcApplications", "Id");
            });

        migrationBuilder.CreateTable(
            name: "OidcTokens",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                ApplicationId = table.Column<Guid>(nullable: true),
                AuthorizationId = table.Column<Guid>(nullable: true),
                ConcurrencyToken = table.Column<string>(maxLength: 50, nullable: true),
                CreationDate = table.Column<DateTime>(nullable: true),
                ExpirationDate = table.Column<DateTime>(nullable: true),
                Payload = table.Column<string>(nullable: true),
                Properties = table.Column<string>(nullable: true),
                RedemptionDate = table.Column<DateTime>(nullable: true),
                ReferenceId = table.Column<string>(maxLength: 100, nullable: true),
                Status = table.Column<string>(maxLength: 50, nullable: true),
                Subject = table.Column<string>(maxLength: 400, nullable: true),
                Type = table.Column<string>(maxLength: 150, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OidcTokens", x => x.Id);
                table.ForeignKey("FK_OidcTokens_OidcApplications_ApplicationId", x => x.ApplicationId, "OidcApplications", "Id");
                table.ForeignKey("FK_OidcTokens_OidcAuthorizations_AuthorizationId", x => x.AuthorizationId, "OidcAuthorizations", "Id");
            });

        migrationBuilder.CreateIndex("IX_OidcApplications_ClientId", "OidcApplications", "ClientId", unique: true);
        migrationBuilder.CreateIndex("IX_OidcScopes_Name", "OidcScopes", "Name", unique: true);
        migrationBuilder.CreateIndex(
            "IX_OidcAuthorizations_ApplicationId_Status_Subject_Type", "OidcAuthorizations", ["ApplicationId", "Status", "Subject", "Type"]);
        migrationBuilder.CreateIndex(
            "IX_OidcTokens_ApplicationId_Status_Subject_Type", "OidcTokens", ["ApplicationId", "Status", "Subject", "Type"]);
        migrationBuilder.CreateIndex("IX_OidcTokens_AuthorizationId", "OidcTokens", "AuthorizationId");
        migrationBuilder.CreateIndex("IX_OidcTokens_ReferenceId", "OidcTokens", "ReferenceId", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("OidcTokens");
        migrationBuilder.DropTable("OidcAuthorizations");
        migrationBuilder.DropTable("OidcScopes");
        migrationBuilder.DropTable("OidcApplications");
    }
}
