using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// MarketingSuppressions: per company, a keyed hash of an erased person's address, so marketing
/// stays off when a store brings the address back. SuppressionKeys: the hash's key, stored only
/// protected by Data Protection.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("202612051001_MarketingSuppressions")]
public sealed class MarketingSuppressions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "MarketingSuppressions",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ControllerId = table.Column<string>(maxLength: 64, nullable: false),
                AddressHash = table.Column<string>(maxLength: 64, nullable: false),
                RequestId = table.Column<Guid>(nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_MarketingSuppressions", x => x.Id));
        migrationBuilder.CreateIndex("IX_MarketingSuppressions_ControllerId_AddressHash", "MarketingSuppressions", ["ControllerId", "AddressHash"], unique: true);

        migrationBuilder.CreateTable(
            name: "SuppressionKeys",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false),
                ProtectedKey = table.Column<string>(maxLength: 1000, nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_SuppressionKeys", x => x.Id));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("SuppressionKeys");
        migrationBuilder.DropTable("MarketingSuppressions");
    }
}
